/**
 * The raw exports of `crates/wasm`, typed. Pointers and handles are u32 values; every call
 * that can fail returns an i32 status (0 = OK). See `crates/wasm/src/lib.rs` for the contract.
 */
export interface RawExports {
  memory: WebAssembly.Memory;
  nr_init(): number;
  nr_last_error_ptr(): number;
  nr_last_error_len(): number;
  nr_panic_ptr(): number;
  nr_panic_len(): number;
  nr_scratch_ptr(): number;
  nr_alloc(bytes: number, align: number): number;
  nr_dealloc(ptr: number, bytes: number, align: number): void;
  nr_memory(out: number): number;
  nr_enum_name(kind: number, id: number): number;
  nr_debug_panic(n: number): number;

  nr_tensor_new(shape: number, rank: number, outHandle: number, outData: number): number;
  nr_tensor_free(h: number): number;
  nr_tensor_shape(h: number, out: number): number;
  nr_tensor_data(h: number, out: number): number;

  nr_unary(op: number, x: number, out: number): number;
  nr_binary(op: number, a: number, b: number, out: number): number;
  nr_reduce(op: number, x: number, axes: number, nAxes: number, keepDims: number, out: number): number;
  nr_matmul(a: number, b: number, transposeA: number, transposeB: number, out: number): number;
  nr_transpose(x: number, perm: number, nPerm: number, hasPerm: number, out: number): number;
  nr_reshape(x: number, shape: number, rank: number, out: number): number;
}
