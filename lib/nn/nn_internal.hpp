// Internal: the registered models.
#pragma once

#include "tnn/models.hpp"

namespace tnn::nn {

ModelInfo resnet_cifar_info(int depth);     // resnet20 / 32 / 44 / 56 / 110
ModelInfo resnet_imagenet_info(int depth);  // resnet18 / 34 / 50 / 101 (torchvision layout)
ModelInfo alexnet_bn_info();                // BN-AlexNet of the WACV'19 reference code

// The WACV'19 reference code's init (lib/nn/init.cpp): conv weights ~ N(0, 2 / (k*k*C_out)),
// FC weights kaiming-normal (fan-in, gain sqrt(2)); BN and biases keep their defaults.
void init_reference_he(const std::vector<QuantLayer>& layers);

}  // namespace tnn::nn
