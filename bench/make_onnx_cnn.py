#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes the tutorial CNN (Conv 3x3x32 ReLU, Conv 3x3x64 ReLU, MaxPool 2x2, Flatten, Dense 10,
# Softmax) as an ONNX model with random weights and a dynamic batch, input [N, 28, 28] float, so ONNX
# Runtime can be timed on the same network as tinylite. Needs Debian's python3-onnx and numpy.
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1] if len(sys.argv) > 1 else "mnist_cnn.onnx"
rng = np.random.default_rng(0)


def glorot(shape, fan_in, fan_out):
    lim = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-lim, lim, size=shape).astype(np.float32)


inits = [
    numpy_helper.from_array(np.array([-1, 1, 28, 28], dtype=np.int64), "shape_in"),
    numpy_helper.from_array(glorot((32, 1, 3, 3), 9, 288), "w1"),
    numpy_helper.from_array(np.zeros(32, np.float32), "b1"),
    numpy_helper.from_array(glorot((64, 32, 3, 3), 288, 576), "w2"),
    numpy_helper.from_array(np.zeros(64, np.float32), "b2"),
    numpy_helper.from_array(glorot((10, 9216), 9216, 10), "w3"),
    numpy_helper.from_array(np.zeros(10, np.float32), "b3"),
]
nodes = [
    helper.make_node("Reshape", ["input", "shape_in"], ["x0"]),
    helper.make_node("Conv", ["x0", "w1", "b1"], ["c1"], kernel_shape=[3, 3]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], kernel_shape=[3, 3]),
    helper.make_node("Relu", ["c2"], ["r2"]),
    helper.make_node("MaxPool", ["r2"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Flatten", ["p"], ["f"], axis=1),
    helper.make_node("Gemm", ["f", "w3", "b3"], ["logits"], transB=1),
    helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
]
graph = helper.make_graph(
    nodes, "mnist_cnn",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 28, 28])],
    [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 10])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, out)
print("wrote", out)
