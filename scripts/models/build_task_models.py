#!/usr/bin/env python3
"""Build the synthetic known-answer models for the tasks beyond detection, in the exact layouts
of Ultralytics exports, into testkit/src/main/resources/testdata/models/:

  cls-colour-yolov8.onnx   YOLOv8-cls:  images [1,3,64,64] -> output0 [1,3]
                           softmax(10 * mean of each RGB channel): classes red, green, blue
  pose-cells-yolov8.onnx   YOLOv8-pose: images [1,3,640,640] -> output0 [1,11,400]
                           rows cx, cy, w, h, score, then 2 keypoints (x, y, visibility)
  seg-cells-yolov8.onnx    YOLOv8-seg:  images [1,3,640,640] -> output0 [1,7,400], output1 [1,1,160,160]
                           rows cx, cy, w, h, bright, dark, 1 mask coefficient; 1 prototype

The 640x640 models see the image as the bright-square model does: a 20x20 grid of 32x32 cells,
anchor a = row * 20 + col, each cell's box its own, b = the cell's mean over pixels and channels.
  pose: score = b; keypoint 0 = the cell's top-left corner, visibility b; keypoint 1 = its
        bottom-right corner, visibility 1 - b
  seg:  bright = b, dark = 1 - b, coefficient = 10 for every anchor; the prototype is
        2 * (mean over channels, averaged over 4x4 pixels) - 1, so a mask
        sigmoid(10 * prototype) > 0.5 is exactly the bright pixels (at a quarter of the input)
No trained weights: every output is a fixed function of the input, so tests know the answer.

Needs Debian's python3-onnx and python3-numpy, run with /usr/bin/python3:
    /usr/bin/python3 scripts/models/build_task_models.py
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
IMG, CELL, GRID = 640, 32, 20
N = GRID * GRID
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "testkit", "src", "main", "resources", "testdata", "models")


def cell_boxes():
    """[1,4,400]: cx, cy, w, h of every cell."""
    a = np.arange(N)
    row, col = a // GRID, a % GRID
    return np.stack([col * CELL + CELL / 2, row * CELL + CELL / 2,
                     np.full(N, CELL), np.full(N, CELL)]).astype(np.float32)[None]


def cell_corners():
    """[1,2,400] top-left and [1,2,400] bottom-right corners of every cell."""
    b = cell_boxes()[0]
    top_left = np.stack([b[0] - CELL / 2, b[1] - CELL / 2]).astype(np.float32)[None]
    bottom_right = np.stack([b[0] + CELL / 2, b[1] + CELL / 2]).astype(np.float32)[None]
    return top_left, bottom_right


def brightness_nodes():
    """Nodes making 'bright' [1,1,400] from 'images'."""
    return [
        helper.make_node("AveragePool", ["images"], ["cell_rgb"],
                         kernel_shape=[CELL, CELL], strides=[CELL, CELL]),
        helper.make_node("ReduceMean", ["cell_rgb"], ["cell_mean"], axes=[1], keepdims=1),
        helper.make_node("Reshape", ["cell_mean", "shape_1_1_400"], ["bright"]),
        helper.make_node("Sub", ["one", "bright"], ["dark"]),
    ]


def common_inits():
    return [
        numpy_helper.from_array(cell_boxes(), "boxes"),
        numpy_helper.from_array(np.array([1, 1, N], dtype=np.int64), "shape_1_1_400"),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one"),
    ]


def image_input(size):
    return helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])


def save(graph, name):
    model = helper.make_model(graph, producer_name="build_task_models.py",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = os.path.join(OUT, name)
    onnx.save(model, path)
    print(f"{path}: {os.path.getsize(path)} bytes")


def classifier():
    nodes = [
        helper.make_node("GlobalAveragePool", ["images"], ["means"]),
        helper.make_node("Reshape", ["means", "shape_1_3"], ["flat"]),
        helper.make_node("Mul", ["flat", "ten"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["output0"], axis=1),
    ]
    inits = [numpy_helper.from_array(np.array([1, 3], dtype=np.int64), "shape_1_3"),
             numpy_helper.from_array(np.array(10.0, dtype=np.float32), "ten")]
    save(helper.make_graph(nodes, "cls_colour_yolov8", [image_input(64)],
                           [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 3])],
                           initializer=inits), "cls-colour-yolov8.onnx")


def pose():
    top_left, bottom_right = cell_corners()
    nodes = brightness_nodes() + [
        helper.make_node("Concat", ["boxes", "bright", "k0", "bright", "k1", "dark"], ["output0"],
                         axis=1),
    ]
    inits = common_inits() + [numpy_helper.from_array(top_left, "k0"),
                              numpy_helper.from_array(bottom_right, "k1")]
    save(helper.make_graph(nodes, "pose_cells_yolov8", [image_input(IMG)],
                           [helper.make_tensor_value_info("output0", TensorProto.FLOAT,
                                                          [1, 4 + 1 + 2 * 3, N])],
                           initializer=inits), "pose-cells-yolov8.onnx")


def segmentation():
    nodes = brightness_nodes() + [
        helper.make_node("Concat", ["boxes", "bright", "dark", "coefficients"], ["output0"], axis=1),
        helper.make_node("ReduceMean", ["images"], ["grey"], axes=[1], keepdims=1),
        helper.make_node("AveragePool", ["grey"], ["quarter"], kernel_shape=[4, 4], strides=[4, 4]),
        helper.make_node("Mul", ["quarter", "two"], ["doubled"]),
        helper.make_node("Sub", ["doubled", "one"], ["output1"]),
    ]
    inits = common_inits() + [
        numpy_helper.from_array(np.full((1, 1, N), 10.0, dtype=np.float32), "coefficients"),
        numpy_helper.from_array(np.array(2.0, dtype=np.float32), "two"),
    ]
    save(helper.make_graph(nodes, "seg_cells_yolov8", [image_input(IMG)],
                           [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 7, N]),
                            helper.make_tensor_value_info("output1", TensorProto.FLOAT,
                                                          [1, 1, IMG // 4, IMG // 4])],
                           initializer=inits), "seg-cells-yolov8.onnx")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    classifier()
    pose()
    segmentation()
    sys.exit(0)
