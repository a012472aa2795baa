/* A boot sector that keeps dirtying guest memory, so that a live
 * migration has real work: protected mode, one dword written per 4 KiB
 * page from 1 MiB to 256 MiB (pages are not zero), then forever re-dirty
 * 1..33 MiB (8,192 pages). Once the fill pass is done it writes
 * "MIGRATOR-GUEST-READY" on the first serial port (COM1, 0x3f8): the
 * harness waits for that line instead of sleeping. */
.code16
.globl _start
_start:
  cli
  xor %ax,%ax
  mov %ax,%ds
  in $0x92,%al
  or $2,%al
  out %al,$0x92
  lgdtl gdtdesc
  mov %cr0,%eax
  or $1,%eax
  mov %eax,%cr0
  ljmpl $0x08,$pm
.code32
pm:
  mov $0x10,%ax
  mov %ax,%ds
  mov %ax,%es
  mov %ax,%ss
  mov $0x7c00,%esp
  mov $0x12345678,%ebx
  mov $0x100000,%edi
fill:
  mov %ebx,(%edi)
  add $4096,%edi
  cmp $0x10000000,%edi
  jb fill
  mov $ready,%esi
  mov $0x3f8,%dx
putc:
  movb (%esi),%al
  test %al,%al
  jz hot
  out %al,(%dx)
  inc %esi
  jmp putc
hot:
  inc %ebx
  mov $0x100000,%edi
hotloop:
  mov %ebx,(%edi)
  add $4096,%edi
  cmp $0x2100000,%edi
  jb hotloop
  jmp hot
.p2align 3
gdt:
  .quad 0
  .quad 0x00cf9a000000ffff
  .quad 0x00cf92000000ffff
gdtdesc:
  .word gdtdesc - gdt - 1
  .long gdt
ready:
  .asciz "MIGRATOR-GUEST-READY\n"
. = _start + 510
.byte 0x55, 0xaa
