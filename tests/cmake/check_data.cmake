# CTest fixture `data/cifar10`: the data-dependent tests need CIFAR-10 in the official binary
# layout. Fails once, with what to do, instead of every such test failing with its own message.
set(dir "$ENV{TNN_DATA_DIR}")
if(dir STREQUAL "")
  message(FATAL_ERROR "CIFAR-10 not found: TNN_DATA_DIR is not set. `make test` sets it (./data/cifar-10-batches-bin "
                      "after `make data`, which downloads the official release and checks its md5; or the "
                      "workplace's proxy copy); or export TNN_DATA_DIR=<folder with test_batch.bin>. The tests "
                      "that need the data are marked failed (not run) for this reason.")
endif()
if(NOT EXISTS "${dir}/test_batch.bin" OR NOT EXISTS "${dir}/data_batch_1.bin")
  message(FATAL_ERROR "TNN_DATA_DIR=${dir}: not a CIFAR-10 binary folder (expected test_batch.bin and "
                      "data_batch_1..5.bin). Run `make data` (downloads and md5-checks the official release) or "
                      "point TNN_DATA_DIR at a copy. The tests that need the data are marked failed (not run).")
endif()
message(STATUS "CIFAR-10 found in ${dir}")
