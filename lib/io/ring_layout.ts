/**
 * The control words of a byte ring shared between the main thread and a
 * stdio worker (`stdin_ring.ts`).
 *
 * Positions are byte counts modulo 2^32 kept in Int32 slots; the ring size is
 * a power of two so `pos & (size - 1)` indexes it even after they wrap.
 *
 * @module
 */

/** Bytes the producer has put in the ring so far (mod 2^32). */
export const CTL_WRITE = 0;
/** Bytes the consumer has taken out so far (mod 2^32). */
export const CTL_READ = 1;
/** 1 once the producer's input ended (stdin EOF) or the consumer's output failed (stdout gone). */
export const CTL_DONE = 2;
/** 1 once the worker has booted and waits for {@linkcode CTL_GO}. */
export const CTL_READY = 3;
/** Set to 1 by the consumer: from now on the worker reads (nobody else does). */
export const CTL_GO = 4;
/** How many Int32 control slots there are. */
export const CTL_SLOTS = 5;
