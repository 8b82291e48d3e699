"""Pure PyTorch math of knowledge distillation. Imports no web code."""
from app.kd.loss import KDLossParts, kd_loss, kd_loss_parts, KL_REDUCTIONS
from app.kd.temperature import soften, entropy_bits

__all__ = ["KDLossParts", "kd_loss", "kd_loss_parts", "KL_REDUCTIONS", "soften", "entropy_bits"]
