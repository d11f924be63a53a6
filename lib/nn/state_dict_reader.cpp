// A reader for the state_dict files torch.save writes (zip archive: data.pkl + one record per
// storage). LibTorch 1.13's torch::pickle_load turns the collections.OrderedDict of a state_dict
// into None, so the pickle is interpreted here: a small stack machine over the opcodes torch.save
// emits (protocols 2-4), building name -> tensor from _rebuild_tensor_v2(storage, offset, size,
// stride, ...) calls. Nothing is executed: any other global is an error naming it.
#include "state_dict_reader.hpp"

#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <variant>

namespace tnn::nn {
namespace {

struct Value;
using ValuePtr = std::shared_ptr<Value>;
struct Global {
  std::string module, name;
};
struct Storage {
  std::string key, type;
};
struct Mark {};
struct Value {
  // None (monostate), bool, int, double, string, list/tuple, dict, global, storage, tensor, mark.
  std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<ValuePtr>,
               std::vector<std::pair<ValuePtr, ValuePtr>>, Global, Storage, torch::Tensor, Mark>
      v;
};
template <class T>
ValuePtr make(T x) {
  auto p = std::make_shared<Value>();
  p->v = std::move(x);
  return p;
}

torch::ScalarType dtype_of(const std::string& storage_type, const std::string& where) {
  static const std::map<std::string, torch::ScalarType> m = {
      {"FloatStorage", torch::kFloat}, {"DoubleStorage", torch::kDouble},
      {"HalfStorage", torch::kHalf},   {"BFloat16Storage", torch::kBFloat16},
      {"LongStorage", torch::kLong},   {"IntStorage", torch::kInt},
      {"ShortStorage", torch::kShort}, {"CharStorage", torch::kChar},
      {"ByteStorage", torch::kByte},   {"BoolStorage", torch::kBool}};
  auto it = m.find(storage_type);
  if (it == m.end())
    throw std::runtime_error(where + ": unsupported storage type torch." + storage_type);
  return it->second;
}

class Reader {
 public:
  Reader(const std::string& path) : path_(path), zip_(path) {}

  std::vector<std::pair<std::string, torch::Tensor>> read() {
    auto [data, size] = zip_.getRecord("data.pkl");
    p_ = static_cast<const uint8_t*>(data.get());
    end_ = p_ + size;
    ValuePtr top = run();
    auto* dict = std::get_if<std::vector<std::pair<ValuePtr, ValuePtr>>>(&top->v);
    if (dict == nullptr)
      throw std::runtime_error(path_ +
                               ": the pickle is not a dict of name -> tensor (a state_dict)");
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& [k, v] : *dict) {
      auto* name = std::get_if<std::string>(&k->v);
      auto* t = std::get_if<torch::Tensor>(&v->v);
      if (name == nullptr || t == nullptr)
        throw std::runtime_error(
            path_ + ": expected a dict of name -> tensor (a state_dict); found another entry");
      out.emplace_back(*name, *t);
    }
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(path_ + ": data.pkl: " + what);
  }
  uint8_t byte() {
    if (p_ >= end_) fail("truncated pickle");
    return *p_++;
  }
  template <class T>
  T le() {
    if (end_ - p_ < int64_t(sizeof(T))) fail("truncated pickle");
    T x;
    std::memcpy(&x, p_, sizeof(T));
    p_ += sizeof(T);
    return x;
  }
  std::string bytes(size_t n) {
    if (size_t(end_ - p_) < n) fail("truncated pickle");
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  std::string line() {
    std::string s;
    for (char c = char(byte()); c != '\n'; c = char(byte())) s += c;
    return s;
  }
  ValuePtr pop() {
    if (stack_.empty()) fail("stack underflow");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  std::vector<ValuePtr> pop_to_mark() {
    std::vector<ValuePtr> items;
    while (true) {
      auto v = pop();
      if (std::holds_alternative<Mark>(v->v)) break;
      items.push_back(v);
    }
    return {items.rbegin(), items.rend()};
  }
  std::vector<ValuePtr>& seq(const ValuePtr& v) {
    auto* s = std::get_if<std::vector<ValuePtr>>(&v->v);
    if (s == nullptr) fail("expected a tuple or list");
    return *s;
  }
  int64_t integer(const ValuePtr& v) {
    auto* i = std::get_if<int64_t>(&v->v);
    if (i == nullptr) fail("expected an integer");
    return *i;
  }

  ValuePtr call(const Global& g, const std::vector<ValuePtr>& args) {
    const std::string f = g.module + "." + g.name;
    // LibTorch's own pickle_save (our `tnn export`) tags typed dicts; the tag is not needed here.
    if (f == "torch.jit._pickle.restore_type_tag") {
      if (args.empty()) fail(f + ": no argument");
      return args[0];
    }
    if (f == "collections.OrderedDict" || f == "builtins.dict" || f == "__builtin__.dict")
      return make(std::vector<std::pair<ValuePtr, ValuePtr>>{});
    if (f == "torch._utils._rebuild_tensor_v2" || f == "torch._utils._rebuild_tensor") {
      if (args.size() < 4) fail(f + ": expected (storage, offset, size, stride, ...)");
      auto* st = std::get_if<Storage>(&args[0]->v);
      if (st == nullptr) fail(f + ": first argument is not a storage");
      const torch::ScalarType dtype = dtype_of(st->type, path_);
      auto [data, bytes] = zip_.getRecord("data/" + st->key);
      const int64_t numel = int64_t(bytes / c10::elementSize(dtype));
      auto storage =
          torch::from_blob(data.get(), {numel}, torch::TensorOptions().dtype(dtype)).clone();
      std::vector<int64_t> size, stride;
      for (const auto& x : seq(args[2])) size.push_back(integer(x));
      for (const auto& x : seq(args[3])) stride.push_back(integer(x));
      return make(storage.as_strided(size, stride, integer(args[1])).clone());
    }
    fail("unsupported global " + f + " (only state_dicts of tensors are read)");
  }

  ValuePtr run() {
    while (true) {
      const uint8_t op = byte();
      switch (op) {
        case 0x80:
          byte();
          break;  // PROTO
        case 0x95:
          p_ += 8;
          break;  // FRAME
        case '.':
          return pop();  // STOP
        case '(':
          stack_.push_back(make(Mark{}));
          break;
        case 'N':
          stack_.push_back(make(std::monostate{}));
          break;
        case 0x88:
          stack_.push_back(make(true));
          break;
        case 0x89:
          stack_.push_back(make(false));
          break;
        case 'K':
          stack_.push_back(make(int64_t(byte())));
          break;
        case 'M':
          stack_.push_back(make(int64_t(le<uint16_t>())));
          break;
        case 'J':
          stack_.push_back(make(int64_t(le<int32_t>())));
          break;
        case 0x8a: {  // LONG1
          const size_t n = byte();
          int64_t x = 0;
          for (size_t i = 0; i < n && i < 8; ++i) x |= int64_t(byte()) << (8 * i);
          if (n > 0 && n < 8 && (x >> (8 * n - 1)) & 1) x -= int64_t(1) << (8 * n);  // sign
          stack_.push_back(make(x));
          break;
        }
        case 'G': {  // BINFLOAT (big-endian)
          uint64_t bits = 0;
          for (int i = 0; i < 8; ++i) bits = (bits << 8) | byte();
          double d;
          std::memcpy(&d, &bits, 8);
          stack_.push_back(make(d));
          break;
        }
        case 'X':
          stack_.push_back(make(bytes(le<uint32_t>())));
          break;
        case 0x8c:
          stack_.push_back(make(bytes(byte())));
          break;  // SHORT_BINUNICODE
        case 'c': {
          std::string module = line(), name = line();
          stack_.push_back(make(Global{module, name}));
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          auto name = pop(), module = pop();
          stack_.push_back(
              make(Global{std::get<std::string>(module->v), std::get<std::string>(name->v)}));
          break;
        }
        case ')':
          stack_.push_back(make(std::vector<ValuePtr>{}));
          break;
        case ']':
          stack_.push_back(make(std::vector<ValuePtr>{}));
          break;
        case '}':
          stack_.push_back(make(std::vector<std::pair<ValuePtr, ValuePtr>>{}));
          break;
        case 't':
          stack_.push_back(make(pop_to_mark()));
          break;
        case 0x85: {
          auto a = pop();
          stack_.push_back(make(std::vector<ValuePtr>{a}));
          break;
        }
        case 0x86: {
          auto b = pop(), a = pop();
          stack_.push_back(make(std::vector<ValuePtr>{a, b}));
          break;
        }
        case 0x87: {
          auto c = pop(), b = pop(), a = pop();
          stack_.push_back(make(std::vector<ValuePtr>{a, b, c}));
          break;
        }
        case 'a': {
          auto v = pop();
          seq(stack_.back()).push_back(v);
          break;
        }
        case 'e': {
          auto items = pop_to_mark();
          auto& s = seq(stack_.back());
          s.insert(s.end(), items.begin(), items.end());
          break;
        }
        case 's':
        case 'u': {
          std::vector<ValuePtr> items;
          if (op == 's') {
            auto v = pop(), k = pop();
            items = {k, v};
          } else {
            items = pop_to_mark();
          }
          auto* d = std::get_if<std::vector<std::pair<ValuePtr, ValuePtr>>>(&stack_.back()->v);
          if (d == nullptr) fail("SETITEM(S) on something that is not a dict");
          for (size_t i = 0; i + 1 < items.size(); i += 2) d->emplace_back(items[i], items[i + 1]);
          break;
        }
        case 'b':
          pop();
          break;  // BUILD: an OrderedDict's attributes (_metadata): not needed
        case 'R': {
          auto args = pop(), fn = pop();
          auto* g = std::get_if<Global>(&fn->v);
          if (g == nullptr) fail("REDUCE of something that is not a global");
          stack_.push_back(call(*g, seq(args)));
          break;
        }
        case 'Q': {  // BINPERSID: ('storage', type, key, location, numel)
          auto& t = seq(pop());
          if (t.size() < 3) fail("unexpected persistent id");
          auto* type = std::get_if<Global>(&t[1]->v);
          auto* key = std::get_if<std::string>(&t[2]->v);
          if (type == nullptr || key == nullptr) fail("unexpected persistent id");
          stack_.push_back(make(Storage{*key, type->name}));
          break;
        }
        case 'q':
          memo_[byte()] = stack_.back();
          break;
        case 'r':
          memo_[le<uint32_t>()] = stack_.back();
          break;
        case 0x94:
          memo_[memo_.size()] = stack_.back();
          break;  // MEMOIZE
        case 'h':
          stack_.push_back(memo_.at(byte()));
          break;
        case 'j':
          stack_.push_back(memo_.at(le<uint32_t>()));
          break;
        default:
          fail("unsupported pickle opcode 0x" + std::to_string(int(op)));
      }
    }
  }

  std::string path_;
  caffe2::serialize::PyTorchStreamReader zip_;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  std::vector<ValuePtr> stack_;
  std::map<size_t, ValuePtr> memo_;
};

}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> read_torch_save_state_dict(
    const std::string& path) {
  try {
    return Reader(path).read();
  } catch (const c10::Error& e) {
    throw std::runtime_error(
        path + ": cannot read as a torch.save zip archive: " + e.what_without_backtrace());
  }
}

}  // namespace tnn::nn
