// Internal: the registered models.
#pragma once

#include "tnn/models.hpp"

namespace tnn::nn {

ModelInfo resnet_cifar_info(int depth);  // resnet20 / 32 / 44 / 56 / 110

}  // namespace tnn::nn
