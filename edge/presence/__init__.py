"""The open-vocabulary presence path on the device: the text tower (llama.cpp phrase states),
the listener (presence.onnx: yes / no / can't tell, detections), and grounded descriptions."""

from edge.presence.listener import Listener

__all__ = ["Listener"]
