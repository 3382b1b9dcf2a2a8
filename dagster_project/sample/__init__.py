from .generator import generate

__all__ = ["generate"]
