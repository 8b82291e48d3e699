// Arrays packed by the server (app/web/packed.py): base64 of little-endian bytes, read as typed arrays
// without parsing a number. f8 = float64 (NaN means "no value"), i4 = int32, u1 = uint8 (booleans).

const TYPES = { f8: Float64Array, i4: Int32Array, u1: Uint8Array };

function bytesOf(base64) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(base64);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** { dtype, shape, data } → { data: TypedArray, shape }. The machines that run browsers are little-endian. */
export function unpack({ dtype, shape, data }) {
  const Type = TYPES[dtype];
  if (!Type) throw new Error(`unknown packed dtype ${dtype}`);
  const bytes = bytesOf(data);
  return { data: new Type(bytes.buffer, bytes.byteOffset, bytes.byteLength / Type.BYTES_PER_ELEMENT), shape };
}

/** The block of `data` at `offset` with `shape`, as nested plain arrays (a number for an empty shape). */
export function nested(data, shape, offset = 0) {
  if (shape.length === 0) return data[offset];
  if (shape.length === 1) return Array.from(data.subarray(offset, offset + shape[0]));
  const inner = shape.slice(1);
  const size = inner.reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nested(data, inner, offset + i * size));
}
