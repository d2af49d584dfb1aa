/**
 * The control words shared by the stdin ring's reader and its worker.
 *
 * Positions are byte counts modulo 2^32 kept in Int32 slots; the ring size is
 * a power of two so `pos & (size - 1)` indexes it even after they wrap.
 *
 * @module
 */

/** Bytes written by the worker so far (mod 2^32). */
export const CTL_WRITE = 0;
/** Bytes consumed by the reader so far (mod 2^32). */
export const CTL_READ = 1;
/** 1 once stdin has ended. */
export const CTL_EOF = 2;
/** How many Int32 control slots there are. */
export const CTL_SLOTS = 3;
