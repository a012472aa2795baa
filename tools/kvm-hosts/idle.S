/* A boot sector that writes no memory, so that a live migration converges
 * at once: it writes "MIGRATOR-GUEST-READY" on the first serial port
 * (COM1, 0x3f8), then spins on PAUSE for ever (not HLT: a halted guest's
 * CPU time hardly moves, and the tests tell a running guest by it). Its
 * memory stays as the BIOS left it. */
.include "boot.inc"
boot_sector_start
  mov $ready,%si
  serial_write %si, idle
idle:
  pause
  jmp idle
ready:
  .asciz "MIGRATOR-GUEST-READY\n"
boot_sector_end
