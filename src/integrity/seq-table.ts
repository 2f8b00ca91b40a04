// The records of one stream by sequence number, for verify: the part of a Map
// it uses (get, has, set, size, keys and entries in the order first set), kept
// in an array indexed by sequence number. Sequence numbers of a stream are
// dense from 1, so that is an array of the records in order, without hashing
// each number into a table that has to grow and be rehashed; a number beyond
// array indices (a forged one) goes into a Map.
const MAX_INDEX = 2 ** 32 - 2;

export class SeqTable<T> {
  private readonly dense: (T | undefined)[] = [];
  private readonly sparse = new Map<number, T>();
  /** The sequence numbers in the order they were first set (a Map's iteration order). */
  private readonly order: number[] = [];

  get size(): number {
    return this.order.length;
  }

  get(seq: number): T | undefined {
    return seq >= 0 && seq <= MAX_INDEX ? this.dense[seq] : this.sparse.get(seq);
  }

  has(seq: number): boolean {
    return this.get(seq) !== undefined;
  }

  /** Sets the record of a sequence number that has none yet (verify keeps the first of each). */
  set(seq: number, value: T): void {
    if (seq >= 0 && seq <= MAX_INDEX) this.dense[seq] = value;
    else this.sparse.set(seq, value);
    this.order.push(seq);
  }

  keys(): readonly number[] {
    return this.order;
  }

  *[Symbol.iterator](): Generator<[number, T]> {
    for (const seq of this.order) yield [seq, this.get(seq)!];
  }
}
