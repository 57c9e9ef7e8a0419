// Future events of the simulation (refunds, bursts, fraud rings) in a min-heap by event time,
// ties broken by scheduling order, so the merged stream stays in event-time order and
// deterministic.

export interface Intent<T> {
  at: number;
  seq: number;
  run: (at: number) => T | null;
}

export class IntentQueue<T> {
  private readonly heap: Intent<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  add(at: number, run: (at: number) => T | null): void {
    this.heap.push({ at, seq: this.seq++, run });
    this.up(this.heap.length - 1);
  }

  peekTime(): number {
    return this.heap[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  pop(): Intent<T> | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private before(a: Intent<T>, b: Intent<T>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(this.heap[i] as Intent<T>, this.heap[parent] as Intent<T>)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.before(this.heap[left] as Intent<T>, this.heap[smallest] as Intent<T>)) smallest = left;
      if (right < this.heap.length && this.before(this.heap[right] as Intent<T>, this.heap[smallest] as Intent<T>)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const t = this.heap[a] as Intent<T>;
    this.heap[a] = this.heap[b] as Intent<T>;
    this.heap[b] = t;
  }
}
