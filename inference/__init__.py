"""ONNX Runtime pre-labeling. Imports only `core`."""
