// The project's own wasm kernels (written for this project, not derived from tfjs or XNNPACK sources).
//
// Built as an Emscripten SIDE_MODULE: it imports the tfjs-wasm module's memory and works directly on tensors in that
// heap (pointers are the tensors' memoryOffsets), so nothing is copied in or out. It uses no libc, no static data and
// no stack: its only import is the memory (build.sh checks that). Layouts are tfjs's: NHWC images, [kh, kw, Ci, Co]
// filters, row-major matrices. Scratch buffers are passed in by the caller (allocated with tfjs's malloc).
//
// Kernels that take (part, parts) do share `part` of `parts` of their work: native-pool.ts calls them on every
// thread of its pool at once (over the shared memory of tfjs's threaded binary), with disjoint outputs per part.

#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline int min_int(int a, int b) { return a < b ? a : b; }
static inline int max_int(int a, int b) { return a > b ? a : b; }

// Where part `part` of `parts` equal shares of n items begins (part + 1 begins where it ends).
static inline int share_begin(int n, int part, int parts) { return (int)((int64_t)n * part / parts); }

// ---------------------------------------------------------------------------------------------------------------
// Max-pool gradient: each output gradient goes to the first maximum of its window in row-major order (strict >, the
// tfjs cpu backend's rule). Channels are scanned four at a time.
EXPORT(max_pool_grad)
void max_pool_grad(const float* x, const float* dy, float* dx, int batch, int height, int width, int channels,
                   int out_height, int out_width, int filter_height, int filter_width, int stride_height,
                   int stride_width, int pad_top, int pad_left, int part, int parts) {
  const int image = height * width * channels;
  const int b0 = share_begin(batch, part, parts), b1 = share_begin(batch, part + 1, parts);
  __builtin_memset(dx + (uint32_t)b0 * image, 0, (uint32_t)(b1 - b0) * (uint32_t)image * sizeof(float));
  const int c4 = channels & ~3;
  for (int b = b0; b < b1; b++) {
    const float* xb = x + (uint32_t)b * image;
    float* dxb = dx + (uint32_t)b * image;
    for (int oy = 0; oy < out_height; oy++) {
      const int y0 = oy * stride_height - pad_top;
      const int y_lo = max_int(0, y0), y_hi = min_int(height, y0 + filter_height);
      for (int ox = 0; ox < out_width; ox++) {
        const int x0 = ox * stride_width - pad_left;
        const int x_lo = max_int(0, x0), x_hi = min_int(width, x0 + filter_width);
        const float* g = dy + (((uint32_t)b * out_height + oy) * out_width + ox) * channels;
        int c = 0;
        for (; c < c4; c += 4) {
          v128_t best = wasm_f32x4_splat(-__builtin_inff());
          v128_t at = wasm_i32x4_splat(-1);
          for (int y = y_lo; y < y_hi; y++) {
            int offset = (y * width + x_lo) * channels + c;
            for (int xx = x_lo; xx < x_hi; xx++, offset += channels) {
              const v128_t v = wasm_v128_load(xb + offset);
              const v128_t greater = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, greater);
              at = wasm_v128_bitselect(wasm_i32x4_add(wasm_i32x4_splat(offset), wasm_i32x4_make(0, 1, 2, 3)), at, greater);
            }
          }
          const int a0 = wasm_i32x4_extract_lane(at, 0), a1 = wasm_i32x4_extract_lane(at, 1);
          const int a2 = wasm_i32x4_extract_lane(at, 2), a3 = wasm_i32x4_extract_lane(at, 3);
          if (a0 >= 0) dxb[a0] += g[c];
          if (a1 >= 0) dxb[a1] += g[c + 1];
          if (a2 >= 0) dxb[a2] += g[c + 2];
          if (a3 >= 0) dxb[a3] += g[c + 3];
        }
        for (; c < channels; c++) {
          float best = -__builtin_inff();
          int at = -1;
          for (int y = y_lo; y < y_hi; y++) {
            for (int xx = x_lo; xx < x_hi; xx++) {
              const int offset = (y * width + xx) * channels + c;
              if (xb[offset] > best) {
                best = xb[offset];
                at = offset;
              }
            }
          }
          if (at >= 0) dxb[at] += g[c];
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Column sums of a row-major [rows, cols] matrix (the bias gradient: a sum over every axis but the last). Rows are
// summed in blocks of 64 whose partial sums are then added, which keeps the rounding error of long sums small; 16
// columns (one 64-byte cache line) are summed per pass over the rows.
#define SUM_BLOCK 64

static inline v128_t column_block_sum(const float* x, int rows, int cols, int j) {
  v128_t total = wasm_f32x4_splat(0);
  for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
    const int r1 = min_int(rows, r0 + SUM_BLOCK);
    v128_t part = wasm_f32x4_splat(0);
    for (int r = r0; r < r1; r++) part = wasm_f32x4_add(part, wasm_v128_load(x + (uint32_t)r * cols + j));
    total = wasm_f32x4_add(total, part);
  }
  return total;
}

EXPORT(column_sum)
void column_sum(const float* x, float* out, int rows, int cols) {
  int j = 0;
  for (; j + 16 <= cols; j += 16) {
    v128_t t0 = wasm_f32x4_splat(0), t1 = t0, t2 = t0, t3 = t0;
    for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
      const int r1 = min_int(rows, r0 + SUM_BLOCK);
      v128_t p0 = wasm_f32x4_splat(0), p1 = p0, p2 = p0, p3 = p0;
      for (int r = r0; r < r1; r++) {
        const float* xr = x + (uint32_t)r * cols + j;
        p0 = wasm_f32x4_add(p0, wasm_v128_load(xr));
        p1 = wasm_f32x4_add(p1, wasm_v128_load(xr + 4));
        p2 = wasm_f32x4_add(p2, wasm_v128_load(xr + 8));
        p3 = wasm_f32x4_add(p3, wasm_v128_load(xr + 12));
      }
      t0 = wasm_f32x4_add(t0, p0);
      t1 = wasm_f32x4_add(t1, p1);
      t2 = wasm_f32x4_add(t2, p2);
      t3 = wasm_f32x4_add(t3, p3);
    }
    wasm_v128_store(out + j, t0);
    wasm_v128_store(out + j + 4, t1);
    wasm_v128_store(out + j + 8, t2);
    wasm_v128_store(out + j + 12, t3);
  }
  for (; j + 4 <= cols; j += 4) wasm_v128_store(out + j, column_block_sum(x, rows, cols, j));
  for (; j < cols; j++) {
    float total = 0;
    for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
      const int r1 = min_int(rows, r0 + SUM_BLOCK);
      float part = 0;
      for (int r = r0; r < r1; r++) part += x[(uint32_t)r * cols + j];
      total += part;
    }
    out[j] = total;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Matrix products. C[i, j] (+)= sum_k A[i, k] B[k, j] with A[i, k] at a[i * a_row + k * a_col] (any strides, so A
// may be transposed) and B rows contiguous: B[k, j] at b[k * b_row + j]. Blocks of 4 rows x 8 columns of C stay in
// eight SIMD registers while k runs; k is cut in blocks so that a block of B stays in cache for every row block.

#define K_BLOCK 256
#define M_BLOCK 64

static inline void store_row(float* c, v128_t lo, v128_t hi, int accumulate) {
  if (accumulate) {
    lo = wasm_f32x4_add(lo, wasm_v128_load(c));
    hi = wasm_f32x4_add(hi, wasm_v128_load(c + 4));
  }
  wasm_v128_store(c, lo);
  wasm_v128_store(c + 4, hi);
}

// Rows [i, i + rows) (rows <= 4) x columns [j, j + 8) of C over k in [k0, k1). (A 6x8 block, twelve accumulators,
// measured 1.3x slower in V8: with the two B vectors and the A value it spills x64's sixteen SIMD registers.)
static inline void block_4x8(int rows, int k0, int k1, const float* a, int a_row, int a_col, const float* b,
                             int b_row, float* c, int ldc, int accumulate) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  // Rows past `rows` read row 0 again (valid memory) and are not stored.
  const float* a0 = a;
  const float* a1 = rows > 1 ? a + a_row : a;
  const float* a2 = rows > 2 ? a + 2 * a_row : a;
  const float* a3 = rows > 3 ? a + 3 * a_row : a;
  for (int k = k0; k < k1; k++) {
    const float* bk = b + (uint32_t)k * b_row;
    const v128_t b0 = wasm_v128_load(bk), b1 = wasm_v128_load(bk + 4);
    const int ak = k * a_col;
    v128_t av = wasm_v128_load32_splat(a0 + ak);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(av, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(av, b1));
    av = wasm_v128_load32_splat(a1 + ak);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(av, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(av, b1));
    av = wasm_v128_load32_splat(a2 + ak);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(av, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(av, b1));
    av = wasm_v128_load32_splat(a3 + ak);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(av, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(av, b1));
  }
  store_row(c, c00, c01, accumulate);
  if (rows > 1) store_row(c + ldc, c10, c11, accumulate);
  if (rows > 2) store_row(c + 2 * ldc, c20, c21, accumulate);
  if (rows > 3) store_row(c + 3 * ldc, c30, c31, accumulate);
}

// Rows [i, i + rows) (rows <= 4) x `cols` (< 8) columns of C: the right edge.
static inline void block_edge(int rows, int cols, int k0, int k1, const float* a, int a_row, int a_col,
                              const float* b, int b_row, float* c, int ldc, int accumulate) {
  for (int r = 0; r < rows; r++) {
    const float* ar = a + (uint32_t)r * a_row;
    float* cr = c + (uint32_t)r * ldc;
    int j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128_t acc = wasm_f32x4_splat(0);
      for (int k = k0; k < k1; k++) {
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load32_splat(ar + k * a_col), wasm_v128_load(b + (uint32_t)k * b_row + j)));
      }
      if (accumulate) acc = wasm_f32x4_add(acc, wasm_v128_load(cr + j));
      wasm_v128_store(cr + j, acc);
    }
    for (; j < cols; j++) {
      float acc = 0;
      for (int k = k0; k < k1; k++) acc += ar[k * a_col] * b[(uint32_t)k * b_row + j];
      cr[j] = accumulate ? cr[j] + acc : acc;
    }
  }
}

static void gemm_one(int m, int n, int k, const float* a, int a_row, int a_col, const float* b, int b_row, float* c,
                     int ldc, int accumulate) {
  if (k == 0) {
    if (!accumulate)
      for (int i = 0; i < m; i++) __builtin_memset(c + (uint32_t)i * ldc, 0, (uint32_t)n * sizeof(float));
    return;
  }
  const int n8 = n & ~7;
  for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
    const int k1 = min_int(k, k0 + K_BLOCK);
    const int acc = accumulate || k0 > 0;
    // M_BLOCK rows of A at a time, each 8-column panel of B over all of them: the panel (K_BLOCK rows of 32 bytes)
    // stays in L1 while the rows pass, instead of the whole K_BLOCK x n block of B streaming from L2 for every row.
    for (int i0 = 0; i0 < m; i0 += M_BLOCK) {
      const int i1 = min_int(m, i0 + M_BLOCK);
      for (int j = 0; j < n8; j += 8)
        for (int i = i0; i < i1; i += 4)
          block_4x8(min_int(4, i1 - i), k0, k1, a + (uint32_t)i * a_row, a_row, a_col, b + j, b_row,
                    c + (uint32_t)i * ldc + j, ldc, acc);
      if (n8 < n)
        for (int i = i0; i < i1; i += 4)
          block_edge(min_int(4, i1 - i), n - n8, k0, k1, a + (uint32_t)i * a_row, a_row, a_col, b + n8, b_row,
                     c + (uint32_t)i * ldc + n8, ldc, acc);
    }
  }
}

// Batched product C_p = A_p B_p for p < batch. B[k, j] at b[k * b_row + j * b_col]: when b_col != 1 (B transposed)
// each B_p is first copied into this part's `scratch` (k * n floats per part) with contiguous rows. A batch stride of
// 0 broadcasts. Parts share the batch when it has at least `parts` products, else the rows of C (in fours).
EXPORT(gemm)
void gemm(int batch, int m, int n, int k, const float* a, int a_batch, int a_row, int a_col, const float* b,
          int b_batch, int b_row, int b_col, float* c, int c_batch, int ldc, int accumulate, float* scratch, int part,
          int parts) {
  int p0 = 0, p1 = batch, i0 = 0, i1 = m;
  if (batch >= parts) {
    p0 = share_begin(batch, part, parts);
    p1 = share_begin(batch, part + 1, parts);
  } else {
    const int quads = (m + 3) / 4;
    i0 = min_int(m, 4 * share_begin(quads, part, parts));
    i1 = min_int(m, 4 * share_begin(quads, part + 1, parts));
  }
  if (i0 >= i1) return;
  float* pack = scratch + (uint32_t)part * k * n;
  const float* packed_for = 0;
  for (int p = p0; p < p1; p++) {
    const float* bp = b + (uint32_t)p * b_batch;
    int row = b_row;
    if (b_col != 1) {
      if (bp != packed_for) {
        for (int kk = 0; kk < k; kk++)
          for (int j = 0; j < n; j++) pack[(uint32_t)kk * n + j] = bp[(uint32_t)kk * b_row + (uint32_t)j * b_col];
        packed_for = bp;
      }
      bp = pack;
      row = n;
    }
    gemm_one(i1 - i0, n, k, a + (uint32_t)p * a_batch + (uint32_t)i0 * a_row, a_row, a_col, bp, row,
             c + (uint32_t)p * c_batch + (uint32_t)i0 * ldc, ldc, accumulate);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Convolution gradients (NHWC input, [kh, kw, Ci, Co] filter) as im2col / col2im products, `rows_per_block` output
// pixels at a time through `scratch` (rows_per_block * kh * kw * Ci floats).

typedef struct {
  int batch, height, width, in_channels, out_height, out_width, out_channels;
  int filter_height, filter_width, stride_height, stride_width, pad_top, pad_left;
} ConvShape;

// Copies n floats. A loop rather than memcpy: the bulk-memory instruction that memcpy becomes has a fixed cost that
// dominated im2col when each window row is a few channels (n = 1 for a first convolution layer).
static inline void copy_floats(float* dst, const float* src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

static inline void zero_floats(float* dst, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_splat(0));
  for (; i < n; i++) dst[i] = 0;
}

// Copies the input windows of output pixels [row0, row0 + rows) into cols [rows, window] (zeros for padding).
static void im2col(const ConvShape* s, const float* x, int row0, int rows, float* cols) {
  const int window = s->filter_height * s->filter_width * s->in_channels;
  const int pixels = s->out_height * s->out_width;
  for (int r = 0; r < rows; r++) {
    const int row = row0 + r;
    const int b = row / pixels, oy = (row % pixels) / s->out_width, ox = row % s->out_width;
    float* dst = cols + (uint32_t)r * window;
    for (int ky = 0; ky < s->filter_height; ky++) {
      const int iy = oy * s->stride_height - s->pad_top + ky;
      for (int kx = 0; kx < s->filter_width; kx++, dst += s->in_channels) {
        const int ix = ox * s->stride_width - s->pad_left + kx;
        if (iy < 0 || iy >= s->height || ix < 0 || ix >= s->width) {
          zero_floats(dst, s->in_channels);
        } else {
          copy_floats(dst, x + (((uint32_t)b * s->height + iy) * s->width + ix) * s->in_channels, s->in_channels);
        }
      }
    }
  }
}

// Adds cols [rows, window] into the input windows of output pixels [row0, row0 + rows) of dx.
static void col2im(const ConvShape* s, const float* cols, int row0, int rows, float* dx) {
  const int window = s->filter_height * s->filter_width * s->in_channels;
  const int pixels = s->out_height * s->out_width;
  const int ci = s->in_channels, c4 = ci & ~3;
  for (int r = 0; r < rows; r++) {
    const int row = row0 + r;
    const int b = row / pixels, oy = (row % pixels) / s->out_width, ox = row % s->out_width;
    const float* src = cols + (uint32_t)r * window;
    for (int ky = 0; ky < s->filter_height; ky++) {
      const int iy = oy * s->stride_height - s->pad_top + ky;
      for (int kx = 0; kx < s->filter_width; kx++, src += ci) {
        const int ix = ox * s->stride_width - s->pad_left + kx;
        if (iy < 0 || iy >= s->height || ix < 0 || ix >= s->width) continue;
        float* dst = dx + (((uint32_t)b * s->height + iy) * s->width + ix) * ci;
        int c = 0;
        for (; c < c4; c += 4) wasm_v128_store(dst + c, wasm_f32x4_add(wasm_v128_load(dst + c), wasm_v128_load(src + c)));
        for (; c < ci; c++) dst[c] += src[c];
      }
    }
  }
}

// dW [window, Co] = sum over output pixels of window(x)^T dy. Part p takes blocks p, p + parts, ... into its own sum:
// part 0 into dw, part p > 0 into partials + (p - 1) * window * Co (which add_parts then adds into dw). Each part
// uses scratch + part * rows_per_block * window.
EXPORT(conv2d_backprop_filter)
void conv2d_backprop_filter(const ConvShape* s, const float* x, const float* dy, float* dw, float* scratch,
                            int rows_per_block, float* partials, int part, int parts) {
  const int window = s->filter_height * s->filter_width * s->in_channels;
  const int rows = s->batch * s->out_height * s->out_width;
  float* target = part == 0 ? dw : partials + (uint32_t)(part - 1) * window * s->out_channels;
  float* cols = scratch + (uint32_t)part * rows_per_block * window;
  int first = 1;
  for (int row0 = part * rows_per_block; row0 < rows; row0 += parts * rows_per_block) {
    const int block = min_int(rows_per_block, rows - row0);
    im2col(s, x, row0, block, cols);
    // A = cols^T: A[i, k] = cols[k * window + i].
    gemm_one(window, s->out_channels, block, cols, 1, window, dy + (uint32_t)row0 * s->out_channels,
             s->out_channels, target, s->out_channels, !first);
    first = 0;
  }
  if (first) __builtin_memset(target, 0, (uint32_t)window * s->out_channels * sizeof(float));
}

// out[i] += sum over p < count of partials[p * n + i], for this part's share of i.
EXPORT(add_parts)
void add_parts(float* out, const float* partials, int count, int n, int part, int parts) {
  const int i0 = share_begin(n, part, parts), i1 = share_begin(n, part + 1, parts);
  for (int p = 0; p < count; p++) {
    const float* src = partials + (uint32_t)p * n;
    int i = i0;
    for (; i + 4 <= i1; i += 4) wasm_v128_store(out + i, wasm_f32x4_add(wasm_v128_load(out + i), wasm_v128_load(src + i)));
    for (; i < i1; i++) out[i] += src[i];
  }
}

// dx = col2im(dy filter^T); `filter_t` holds the filter transposed, [Co, window] (made by the caller). Parts share
// the images (their input gradients do not overlap); each uses scratch + part * rows_per_block * window.
EXPORT(conv2d_backprop_input)
void conv2d_backprop_input(const ConvShape* s, const float* dy, const float* filter_t, float* dx, float* scratch,
                           int rows_per_block, int part, int parts) {
  const int window = s->filter_height * s->filter_width * s->in_channels;
  const int pixels = s->out_height * s->out_width;
  const int image = s->height * s->width * s->in_channels;
  const int b0 = share_begin(s->batch, part, parts), b1 = share_begin(s->batch, part + 1, parts);
  float* cols = scratch + (uint32_t)part * rows_per_block * window;
  __builtin_memset(dx + (uint32_t)b0 * image, 0, (uint32_t)(b1 - b0) * image * sizeof(float));
  const int rows = b1 * pixels;
  for (int row0 = b0 * pixels; row0 < rows; row0 += rows_per_block) {
    const int block = min_int(rows_per_block, rows - row0);
    gemm_one(block, window, s->out_channels, dy + (uint32_t)row0 * s->out_channels, s->out_channels, 1, filter_t,
             window, cols, window, 0);
    col2im(s, cols, row0, block, dx);
  }
}

// Transposes a row-major [rows, cols] matrix into [cols, rows].
EXPORT(transpose_2d)
void transpose_2d(const float* x, float* out, int rows, int cols) {
  for (int r0 = 0; r0 < rows; r0 += 32)
    for (int c0 = 0; c0 < cols; c0 += 32)
      for (int r = r0; r < min_int(rows, r0 + 32); r++)
        for (int c = c0; c < min_int(cols, c0 + 32); c++) out[(uint32_t)c * rows + r] = x[(uint32_t)r * cols + c];
}

// ---------------------------------------------------------------------------------------------------------------
// Elementwise binary operations with broadcasting. `desc` = [rank, shape[rank], a_strides[rank], b_strides[rank]]
// over the output's dimensions after the caller merged every pair of dimensions it could (so the innermost stride of
// each operand is 1, or 0 where it is broadcast). Parts share the outer iterations.

enum { OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3 };

#define BINARY_LOOPS(VOP, SOP)                                                                          \
  if (sa == 1 && sb == 1) {                                                                             \
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, VOP(wasm_v128_load(a + i), wasm_v128_load(b + i))); \
    for (; i < n; i++) out[i] = SOP(a[i], b[i]);                                                        \
  } else if (sa == 1) {                                                                                 \
    const float bs = b[0];                                                                              \
    const v128_t bv = wasm_f32x4_splat(bs);                                                             \
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, VOP(wasm_v128_load(a + i), bv));                \
    for (; i < n; i++) out[i] = SOP(a[i], bs);                                                          \
  } else if (sb == 1) {                                                                                 \
    const float as = a[0];                                                                              \
    const v128_t av = wasm_f32x4_splat(as);                                                             \
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, VOP(av, wasm_v128_load(b + i)));                \
    for (; i < n; i++) out[i] = SOP(as, b[i]);                                                          \
  } else {                                                                                              \
    const float v = SOP(a[0], b[0]);                                                                    \
    for (; i < n; i++) out[i] = v;                                                                      \
  }

#define S_ADD(x, y) ((x) + (y))
#define S_SUB(x, y) ((x) - (y))
#define S_MUL(x, y) ((x) * (y))
#define S_DIV(x, y) ((x) / (y))

// One innermost row of n outputs; sa, sb (1 or 0) say whether a and b advance along it.
static void binary_row(int op, const float* a, int sa, const float* b, int sb, float* out, int n) {
  int i = 0;
  switch (op) {
    case OP_ADD: BINARY_LOOPS(wasm_f32x4_add, S_ADD) break;
    case OP_SUB: BINARY_LOOPS(wasm_f32x4_sub, S_SUB) break;
    case OP_MUL: BINARY_LOOPS(wasm_f32x4_mul, S_MUL) break;
    default: BINARY_LOOPS(wasm_f32x4_div, S_DIV) break;
  }
}

EXPORT(binary_op)
void binary_op(int op, const float* a, const float* b, float* out, const int* desc, int part, int parts) {
  const int rank = desc[0];
  const int* shape = desc + 1;
  const int* a_strides = desc + 1 + rank;
  const int* b_strides = desc + 1 + 2 * rank;
  const int n = shape[rank - 1];
  int rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= shape[d];
  const int r0 = share_begin(rows, part, parts), r1 = share_begin(rows, part + 1, parts);
  const int sa = a_strides[rank - 1], sb = b_strides[rank - 1];
  for (int r = r0; r < r1; r++) {
    // The operands' offsets at row r, from its multi-index over the outer dimensions (no index array: no stack).
    uint32_t a_off = 0, b_off = 0;
    for (int d = rank - 2, rest = r; d >= 0; d--) {
      const int i = rest % shape[d];
      rest /= shape[d];
      a_off += (uint32_t)i * a_strides[d];
      b_off += (uint32_t)i * b_strides[d];
    }
    binary_row(op, a + a_off, sa, b + b_off, sb, out + (uint32_t)r * n, n);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Elementwise unary operations on n floats; parts share the elements (in multiples of 4).

enum { OP_SQUARE = 0, OP_SQRT = 1, OP_NEG = 2, OP_RELU = 3 };

#define UNARY_LOOP(VEXPR, SEXPR)                                             \
  for (; i + 4 <= i1; i += 4) {                                              \
    const v128_t v = wasm_v128_load(x + i);                                  \
    wasm_v128_store(out + i, VEXPR);                                         \
  }                                                                          \
  for (; i < i1; i++) {                                                      \
    const float v = x[i];                                                    \
    out[i] = SEXPR;                                                          \
  }

EXPORT(unary_op)
void unary_op(int op, const float* x, float* out, int n, int part, int parts) {
  const int quads = (n + 3) / 4;
  int i = min_int(n, 4 * share_begin(quads, part, parts));
  const int i1 = min_int(n, 4 * share_begin(quads, part + 1, parts));
  switch (op) {
    case OP_SQUARE: UNARY_LOOP(wasm_f32x4_mul(v, v), v * v) break;
    case OP_SQRT: UNARY_LOOP(wasm_f32x4_sqrt(v), __builtin_sqrtf(v)) break;
    case OP_NEG: UNARY_LOOP(wasm_f32x4_neg(v), -v) break;
    // max(v, 0) keeps NaN as NaN, as the cpu backend's relu does (x < 0 ? 0 : x).
    default: UNARY_LOOP(wasm_v128_bitselect(wasm_f32x4_splat(0), v, wasm_f32x4_lt(v, wasm_f32x4_splat(0))), v < 0 ? 0 : v) break;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Fused row kernels for the transformer layers: softmax (and its gradient), layer normalisation (forward and
// backward) and the exact GELU (forward and backward). Each replaces 4-15 small tfjs kernels whose cost was mostly
// per-call overhead. Rows are the innermost axis; parts share the rows (elements, for GELU).

static inline v128_t splat(float v) { return wasm_f32x4_splat(v); }

// e^x for x in [-87, 88] (smaller x gives e^-87, larger e^88): x = n ln2 + r with |r| <= ln2 / 2, e^r by its degree-6
// Taylor polynomial (relative error below 2e-7), 2^n built in the exponent bits.
static inline v128_t exp_f32x4(v128_t x) {
  x = wasm_f32x4_pmax(splat(-87.0f), wasm_f32x4_pmin(splat(88.0f), x));
  const v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, splat(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, splat(0.693145751953125f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, splat(1.428606765330187e-06f)));
  v128_t p = splat(1.0f / 720);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(1.0f / 120));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(1.0f / 24));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(1.0f / 6));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(0.5f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(1.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), splat(1.0f));
  const v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, scale);
}

static inline float exp_f32(float x) { return wasm_f32x4_extract_lane(exp_f32x4(splat(x)), 0); }

static inline float hsum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) + wasm_f32x4_extract_lane(v, 2) +
         wasm_f32x4_extract_lane(v, 3);
}

static inline float hmax(v128_t v) {
  const float a = wasm_f32x4_extract_lane(v, 0), b = wasm_f32x4_extract_lane(v, 1);
  const float c = wasm_f32x4_extract_lane(v, 2), d = wasm_f32x4_extract_lane(v, 3);
  const float ab = a > b ? a : b, cd = c > d ? c : d;
  return ab > cd ? ab : cd;
}

// Softmax over each row of a [rows, cols] matrix: e^(x - max) / sum.
EXPORT(softmax_rows)
void softmax_rows(const float* x, float* y, int rows, int cols, int part, int parts) {
  const int r0 = share_begin(rows, part, parts), r1 = share_begin(rows, part + 1, parts);
  const int c4 = cols & ~3;
  for (int r = r0; r < r1; r++) {
    const float* xr = x + (uint32_t)r * cols;
    float* yr = y + (uint32_t)r * cols;
    v128_t mv = splat(-__builtin_inff());
    int c = 0;
    for (; c < c4; c += 4) mv = wasm_f32x4_pmax(mv, wasm_v128_load(xr + c));
    float m = hmax(mv);
    for (; c < cols; c++) m = xr[c] > m ? xr[c] : m;
    const v128_t mm = splat(m);
    v128_t sv = splat(0);
    for (c = 0; c < c4; c += 4) {
      const v128_t e = exp_f32x4(wasm_f32x4_sub(wasm_v128_load(xr + c), mm));
      wasm_v128_store(yr + c, e);
      sv = wasm_f32x4_add(sv, e);
    }
    float s = hsum(sv);
    for (; c < cols; c++) s += (yr[c] = exp_f32(xr[c] - m));
    const v128_t inv = splat(1.0f / s);
    for (c = 0; c < c4; c += 4) wasm_v128_store(yr + c, wasm_f32x4_mul(wasm_v128_load(yr + c), inv));
    for (; c < cols; c++) yr[c] *= 1.0f / s;
  }
}

// The softmax gradient per row: dx = y * (dy - sum(dy * y)).
EXPORT(softmax_grad_rows)
void softmax_grad_rows(const float* y, const float* dy, float* dx, int rows, int cols, int part, int parts) {
  const int r0 = share_begin(rows, part, parts), r1 = share_begin(rows, part + 1, parts);
  const int c4 = cols & ~3;
  for (int r = r0; r < r1; r++) {
    const float* yr = y + (uint32_t)r * cols;
    const float* gr = dy + (uint32_t)r * cols;
    float* dr = dx + (uint32_t)r * cols;
    v128_t sv = splat(0);
    int c = 0;
    for (; c < c4; c += 4) sv = wasm_f32x4_add(sv, wasm_f32x4_mul(wasm_v128_load(yr + c), wasm_v128_load(gr + c)));
    float s = hsum(sv);
    for (; c < cols; c++) s += yr[c] * gr[c];
    const v128_t ss = splat(s);
    for (c = 0; c < c4; c += 4)
      wasm_v128_store(dr + c, wasm_f32x4_mul(wasm_v128_load(yr + c), wasm_f32x4_sub(wasm_v128_load(gr + c), ss)));
    for (; c < cols; c++) dr[c] = yr[c] * (gr[c] - s);
  }
}

// Layer normalisation over each row: y = (x - mean) * rstd * gamma + beta, rstd = 1 / sqrt(var + eps) (biased
// variance, from the centred values); mean and rstd are kept per row for the backward pass.
EXPORT(layer_norm_rows)
void layer_norm_rows(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                     int rows, int cols, float eps, int part, int parts) {
  const int r0 = share_begin(rows, part, parts), r1 = share_begin(rows, part + 1, parts);
  const int c4 = cols & ~3;
  for (int r = r0; r < r1; r++) {
    const float* xr = x + (uint32_t)r * cols;
    float* yr = y + (uint32_t)r * cols;
    v128_t sv = splat(0);
    int c = 0;
    for (; c < c4; c += 4) sv = wasm_f32x4_add(sv, wasm_v128_load(xr + c));
    float s = hsum(sv);
    for (; c < cols; c++) s += xr[c];
    const float mu = s / cols;
    const v128_t mv = splat(mu);
    v128_t qv = splat(0);
    for (c = 0; c < c4; c += 4) {
      const v128_t d = wasm_f32x4_sub(wasm_v128_load(xr + c), mv);
      qv = wasm_f32x4_add(qv, wasm_f32x4_mul(d, d));
    }
    float q = hsum(qv);
    for (; c < cols; c++) q += (xr[c] - mu) * (xr[c] - mu);
    const float rs = 1.0f / __builtin_sqrtf(q / cols + eps);
    mean[r] = mu;
    rstd[r] = rs;
    const v128_t rv = splat(rs);
    for (c = 0; c < c4; c += 4) {
      const v128_t h = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + c), mv), rv);
      wasm_v128_store(yr + c, wasm_f32x4_add(wasm_f32x4_mul(h, wasm_v128_load(gamma + c)), wasm_v128_load(beta + c)));
    }
    for (; c < cols; c++) yr[c] = (xr[c] - mu) * rs * gamma[c] + beta[c];
  }
}

// The layer-norm gradient: with h = (x - mean) * rstd and g = dy * gamma, dx = rstd * (g - mean(g) - h * mean(g h))
// per row; dgamma = sum over rows of dy h, dbeta = sum of dy (columns: one thread).
EXPORT(layer_norm_grad_rows)
void layer_norm_grad_rows(const float* x, const float* dy, const float* gamma, const float* mean, const float* rstd,
                          float* dx, float* dgamma, float* dbeta, int rows, int cols) {
  const int c4 = cols & ~3;
  zero_floats(dgamma, cols);
  zero_floats(dbeta, cols);
  for (int r = 0; r < rows; r++) {
    const float* xr = x + (uint32_t)r * cols;
    const float* gr = dy + (uint32_t)r * cols;
    float* dr = dx + (uint32_t)r * cols;
    const float mu = mean[r], rs = rstd[r];
    const v128_t mv = splat(mu), rv = splat(rs);
    v128_t av = splat(0), bv = splat(0);
    int c = 0;
    for (; c < c4; c += 4) {
      const v128_t d = wasm_v128_load(gr + c);
      const v128_t h = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + c), mv), rv);
      const v128_t g = wasm_f32x4_mul(d, wasm_v128_load(gamma + c));
      av = wasm_f32x4_add(av, g);
      bv = wasm_f32x4_add(bv, wasm_f32x4_mul(g, h));
      wasm_v128_store(dgamma + c, wasm_f32x4_add(wasm_v128_load(dgamma + c), wasm_f32x4_mul(d, h)));
      wasm_v128_store(dbeta + c, wasm_f32x4_add(wasm_v128_load(dbeta + c), d));
    }
    float a = hsum(av), b = hsum(bv);
    for (; c < cols; c++) {
      const float h = (xr[c] - mu) * rs, g = gr[c] * gamma[c];
      a += g;
      b += g * h;
      dgamma[c] += gr[c] * h;
      dbeta[c] += gr[c];
    }
    a /= cols;
    b /= cols;
    const v128_t am = splat(a), bm = splat(b);
    for (c = 0; c < c4; c += 4) {
      const v128_t h = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + c), mv), rv);
      const v128_t g = wasm_f32x4_mul(wasm_v128_load(gr + c), wasm_v128_load(gamma + c));
      wasm_v128_store(dr + c, wasm_f32x4_mul(rv, wasm_f32x4_sub(wasm_f32x4_sub(g, am), wasm_f32x4_mul(h, bm))));
    }
    for (; c < cols; c++) dr[c] = rs * (gr[c] * gamma[c] - a - (xr[c] - mu) * rs * b);
  }
}

// erf(x) by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7; the tfjs cpu backend's Erf uses the same
// formula): 1 - (a1 t + ... + a5 t^5) e^(-x^2), t = 1 / (1 + p |x|), odd in x.
static inline v128_t erf_f32x4(v128_t x) {
  const v128_t ax = wasm_f32x4_abs(x);
  const v128_t t = wasm_f32x4_div(splat(1.0f), wasm_f32x4_add(splat(1.0f), wasm_f32x4_mul(splat(0.3275911f), ax)));
  v128_t p = splat(1.061405429f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), splat(-1.453152027f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), splat(1.421413741f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), splat(-0.284496736f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, t), splat(0.254829592f));
  p = wasm_f32x4_mul(p, t);
  const v128_t e = wasm_f32x4_sub(splat(1.0f), wasm_f32x4_mul(p, exp_f32x4(wasm_f32x4_neg(wasm_f32x4_mul(ax, ax)))));
  // Copy x's sign onto e (e >= 0).
  return wasm_v128_or(e, wasm_v128_and(x, wasm_i32x4_splat((int)0x80000000)));
}

// The exact GELU x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 (`grad` 0: out = gelu(x), dy unused) or its gradient times
// dy (`grad` 1): out = dy (Phi(x) + x phi(x)), phi(x) = e^(-x^2/2) / sqrt(2 pi). Parts share the elements.
static inline v128_t gelu_f32x4(v128_t v, v128_t d, int grad) {
  const v128_t phi_cdf =
      wasm_f32x4_mul(splat(0.5f), wasm_f32x4_add(splat(1.0f), erf_f32x4(wasm_f32x4_mul(v, splat(0.70710678118654752f)))));
  if (!grad) return wasm_f32x4_mul(v, phi_cdf);
  const v128_t pdf = wasm_f32x4_mul(splat(0.39894228040143268f),
                                    exp_f32x4(wasm_f32x4_mul(splat(-0.5f), wasm_f32x4_mul(v, v))));
  return wasm_f32x4_mul(d, wasm_f32x4_add(phi_cdf, wasm_f32x4_mul(v, pdf)));
}

EXPORT(gelu)
void gelu(const float* x, const float* dy, float* out, int n, int grad, int part, int parts) {
  const int quads = (n + 3) / 4;
  int i = min_int(n, 4 * share_begin(quads, part, parts));
  const int i1 = min_int(n, 4 * share_begin(quads, part + 1, parts));
  for (; i + 4 <= i1; i += 4)
    wasm_v128_store(out + i, gelu_f32x4(wasm_v128_load(x + i), grad ? wasm_v128_load(dy + i) : splat(0), grad));
  for (; i < i1; i++)
    out[i] = wasm_f32x4_extract_lane(gelu_f32x4(splat(x[i]), splat(grad ? dy[i] : 0), grad), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// torch.optim.Adam / AdamW on n parameters in one pass (tfjs ops take ~15 small kernels per parameter tensor):
//   g' = g + coupled_wd p;  m = beta1 m + (1 - beta1) g';  v = beta2 v + (1 - beta2) g'^2  (m, v = 0 when `first`)
//   p = decay p - step_size m / (sqrt(v) / bc2_sqrt + eps)
// with step_size = lr / (1 - beta1^t), bc2_sqrt = sqrt(1 - beta2^t), decay = 1 - lr wd for AdamW (else 1); the
// caller rounds 1 - beta to float32 as tfjs does (1 - 0.999f in float32 is 1e-3 off by 1.3e-5 relative).
EXPORT(adam_update)
void adam_update(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out,
                 float* v_out, int n, int first, float beta1, float one_minus_beta1, float beta2,
                 float one_minus_beta2, float step_size, float bc2_sqrt, float eps, float coupled_wd, float decay,
                 int part, int parts) {
  const int quads = (n + 3) / 4;
  int i = min_int(n, 4 * share_begin(quads, part, parts));
  const int i1 = min_int(n, 4 * share_begin(quads, part + 1, parts));
  const v128_t b1 = splat(beta1), c1 = splat(one_minus_beta1), b2 = splat(beta2), c2 = splat(one_minus_beta2);
  const v128_t step = splat(step_size), bc2 = splat(bc2_sqrt), ep = splat(eps), wd = splat(coupled_wd);
  const v128_t dec = splat(decay);
  for (; i + 4 <= i1; i += 4) {
    const v128_t pv = wasm_v128_load(p + i);
    const v128_t gv = wasm_f32x4_add(wasm_v128_load(g + i), wasm_f32x4_mul(pv, wd));
    v128_t mv = wasm_f32x4_mul(gv, c1), vv = wasm_f32x4_mul(wasm_f32x4_mul(gv, gv), c2);
    if (!first) {
      mv = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), mv);
      vv = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2), vv);
    }
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(vv), bc2), ep);
    wasm_v128_store(p_out + i, wasm_f32x4_sub(wasm_f32x4_mul(pv, dec), wasm_f32x4_mul(wasm_f32x4_div(mv, denom), step)));
    wasm_v128_store(m_out + i, mv);
    wasm_v128_store(v_out + i, vv);
  }
  for (; i < i1; i++) {
    const float gi = g[i] + p[i] * coupled_wd;
    float mi = gi * one_minus_beta1, vi = gi * gi * one_minus_beta2;
    if (!first) {
      mi = m[i] * beta1 + mi;
      vi = v[i] * beta2 + vi;
    }
    p_out[i] = p[i] * decay - mi / (__builtin_sqrtf(vi) / bc2_sqrt + eps) * step_size;
    m_out[i] = mi;
    v_out[i] = vi;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Copies a [rows, cols] block between row-major matrices with row strides src_row and dst_row (floats): one piece of
// a split or concatenation along an inner axis (tfjs-wasm's Slice walks such copies one index at a time).
EXPORT(copy_block)
void copy_block(const float* src, int src_row, float* dst, int dst_row, int rows, int cols) {
  for (int r = 0; r < rows; r++) copy_floats(dst + (uint32_t)r * dst_row, src + (uint32_t)r * src_row, cols);
}

// ---------------------------------------------------------------------------------------------------------------
// Convolution forward (NHWC, [kh, kw, Ci, Co] filter, no dilation): y = im2col(x) filter, `rows_per_block` output
// pixels at a time through this part's share of `scratch`; parts share the blocks.
EXPORT(conv2d_forward)
void conv2d_forward(const ConvShape* s, const float* x, const float* filter, float* y, float* scratch,
                    int rows_per_block, int part, int parts) {
  const int window = s->filter_height * s->filter_width * s->in_channels;
  const int rows = s->batch * s->out_height * s->out_width;
  float* cols = scratch + (uint32_t)part * rows_per_block * window;
  for (int row0 = part * rows_per_block; row0 < rows; row0 += parts * rows_per_block) {
    const int block = min_int(rows_per_block, rows - row0);
    im2col(s, x, row0, block, cols);
    gemm_one(block, s->out_channels, window, cols, window, 1, filter, s->out_channels,
             y + (uint32_t)row0 * s->out_channels, s->out_channels, 0);
  }
}
