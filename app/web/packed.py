"""Arrays in a JSON answer as packed bytes: base64 of little-endian float64 (or int32, uint8), C order.

A slider's table holds thousands of numbers; as JSON text each float64 costs ~20 bytes and a parse, packed
it costs 8 bytes (10.7 in base64) and the page reads it as a Float64Array with no parsing at all
(static/js/lib/packed.js). NaN, which JSON cannot carry, stands for "no value" (a JSON null).
"""
from __future__ import annotations

import base64
from typing import Literal

import numpy as np
import torch
from pydantic import BaseModel, Field

_DTYPES = {"f8": "<f8", "i4": "<i4", "u1": "u1"}


class PackedArray(BaseModel):
    dtype: Literal["f8", "i4", "u1"] = Field(description="f8: float64, i4: int32, u1: uint8 (booleans)")
    shape: list[int]
    data: str = Field(description="base64 of the little-endian bytes, C order; NaN in f8 means no value")


def pack(values: torch.Tensor) -> PackedArray:
    """A tensor as a PackedArray: floats as f8, booleans as u1, other integers as i4."""
    values = values.detach().cpu()
    if values.dtype == torch.bool:
        dtype = "u1"
    elif values.is_floating_point():
        dtype = "f8"
    else:
        dtype = "i4"
        if values.numel() and (int(values.min()) < -2**31 or int(values.max()) >= 2**31):
            raise ValueError("integer out of int32 range")
    array = values.numpy().astype(_DTYPES[dtype], copy=False)
    # tobytes() writes C order whatever the strides; a 0-dim array keeps its empty shape
    return PackedArray(dtype=dtype, shape=list(array.shape), data=base64.b64encode(array.tobytes()).decode("ascii"))


def unpack(packed: PackedArray | dict) -> np.ndarray:
    """The inverse of pack, as a numpy array (tests and Python clients)."""
    p = packed if isinstance(packed, PackedArray) else PackedArray.model_validate(packed)
    return np.frombuffer(base64.b64decode(p.data), dtype=_DTYPES[p.dtype]).reshape(p.shape)
