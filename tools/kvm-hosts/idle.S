/* A boot sector that writes no memory, so that a live migration converges
 * at once: it writes "MIGRATOR-GUEST-READY" on the first serial port
 * (COM1, 0x3f8), then spins on PAUSE for ever (not HLT: a halted guest's
 * CPU time hardly moves, and the tests tell a running guest by it). Its
 * memory stays as the BIOS left it. */
.code16
.globl _start
_start:
  cli
  xor %ax,%ax
  mov %ax,%ds
  mov $ready,%si
  mov $0x3f8,%dx
putc:
  movb (%si),%al
  test %al,%al
  jz idle
  out %al,(%dx)
  inc %si
  jmp putc
idle:
  pause
  jmp idle
ready:
  .asciz "MIGRATOR-GUEST-READY\n"
. = _start + 510
.byte 0x55, 0xaa
