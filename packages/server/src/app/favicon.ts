/**
 * `/favicon.ico`: Baton's mark (an indigo square with rounded corners, the designer's `data:` icon) as a
 * 16 × 16, 32-bit ICO. Browsers ask for it on every page they have not been told another icon for (the
 * API reference, a JSON answer opened in a tab), and a 404 there is noise in every log.
 */
export const FAVICON: Uint8Array<ArrayBuffer> = (() => {
  const size = 16;
  const pixels = size * size * 4;
  const mask = size * 4; // 1 bit a pixel, rows padded to 32 bits: all 0 (the alpha channel decides).
  const image = 40 + pixels + mask;
  const out = new Uint8Array(new ArrayBuffer(6 + 16 + image));
  const v = new DataView(out.buffer);
  // ICONDIR: reserved, type 1 (icon), one image.
  v.setUint16(2, 1, true);
  v.setUint16(4, 1, true);
  // ICONDIRENTRY: 16 × 16, no palette, 1 plane, 32 bits a pixel, its size and where it starts.
  out[6] = size;
  out[7] = size;
  v.setUint16(10, 1, true);
  v.setUint16(12, 32, true);
  v.setUint32(14, image, true);
  v.setUint32(18, 22, true);
  // BITMAPINFOHEADER: the height counts the image and its mask, hence twice the size.
  v.setUint32(22, 40, true);
  v.setInt32(26, size, true);
  v.setInt32(30, size * 2, true);
  v.setUint16(34, 1, true);
  v.setUint16(36, 32, true);
  v.setUint32(42, pixels + mask, true);
  // Pixels, bottom row first, as blue, green, red, alpha: #4f46e5, corners of radius 4 cut out.
  const inside = (x: number, y: number) => {
    const cx = Math.min(Math.max(x + 0.5, 4), size - 4);
    const cy = Math.min(Math.max(y + 0.5, 4), size - 4);
    return (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= 16;
  };
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const at = 62 + ((size - 1 - y) * size + x) * 4;
      if (inside(x, y)) out.set([0xe5, 0x46, 0x4f, 0xff], at);
    }
  return out;
})();
