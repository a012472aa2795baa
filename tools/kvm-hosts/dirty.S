/* A boot sector that keeps dirtying guest memory, so that a live
 * migration has real work: protected mode, one dword written per 4 KiB
 * page from 1 MiB to 256 MiB (pages are not zero), then forever re-dirty
 * 1..33 MiB (8,192 pages). Once the fill pass is done it writes
 * "MIGRATOR-GUEST-READY" on the first serial port (COM1, 0x3f8): the
 * harness waits for that line instead of sleeping. */
.include "boot.inc"
boot_sector_start
enter_protected_mode
  mov $0x12345678,%ebx
  mov $0x100000,%edi
fill:
  mov %ebx,(%edi)
  add $4096,%edi
  cmp $0x10000000,%edi
  jb fill
  mov $ready,%esi
  serial_write %esi, hot
hot:
  inc %ebx
  mov $0x100000,%edi
hotloop:
  mov %ebx,(%edi)
  add $4096,%edi
  cmp $0x2100000,%edi
  jb hotloop
  jmp hot
flat_gdt
ready:
  .asciz "MIGRATOR-GUEST-READY\n"
boot_sector_end
