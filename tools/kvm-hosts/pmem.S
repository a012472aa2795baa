/* A boot sector for the PMEM tests: it writes a pattern into its
 * vNVDIMM on first boot and checks it on every later boot, so that a cold
 * migration with copy_pmem_devices can be checked inside the guest.
 *
 * The NVDIMM is the first DIMM of QEMU's "pc" machine: guest-physical
 * 4 GiB (the device memory region starts there when RAM is below 3.5 GiB).
 * Long mode (compatibility mode: 32-bit code, 4-level paging) maps it at
 * virtual 2 MiB (one 2 MiB page; 0-2 MiB stays identity-mapped for this
 * code and its stack).
 *
 * Layout in the NVDIMM: "MIGRPMEM" at 0, the seed at 8, then at 64 + 64 k
 * (k = 0 .. 16382, up to 1 MiB) the dwords x(k+1) = x(k) * 1664525 +
 * 1013904223, x(0) = seed.
 *
 * Serial port COM1 (0x3f8):
 *   no memory at 4 GiB (a write does not read back) -> "PMEM-NONE <x>";
 *   no magic: seed = rdtsc, write the pattern, the seed, then the magic
 *     -> "PMEM-WRITTEN <seed>";
 *   magic: re-compute the pattern from the stored seed and compare
 *     -> "PMEM-INTACT <seed>" or "PMEM-CORRUPT <seed>";
 * then "MIGRATOR-GUEST-READY" and halt (an idle guest). <seed> is 8 hex
 * digits. */
.include "boot.inc"
boot_sector_start
enter_protected_mode
  /* 4-level tables (long mode; 32-bit PAE paging fails on nested
   * AMD KVM): PML4 at 0x1000, PDPT at 0x2000, page directory at 0x3000.
   * CS stays 32-bit: compatibility mode, so the code below is 32-bit. */
  cld
  mov $0x1000,%edi
  xor %eax,%eax
  mov $0xc00,%ecx
  rep stosl
  movl $0x2003,0x1000          /* PML4[0] -> PDPT */
  movl $0x3003,0x2000          /* PDPT[0] -> PD */
  movl $0x83,0x3000            /* PD[0]: 0-2 MiB -> 0, 2 MiB page, RW */
  movl $0x83,0x3008            /* PD[1]: 2-4 MiB -> 4 GiB ... */
  movl $1,0x300c               /* ... (bit 32 of the address) */
  mov %cr4,%eax
  or $0x20,%eax                /* PAE */
  mov %eax,%cr4
  mov $0x1000,%eax
  mov %eax,%cr3
  mov $0xc0000080,%ecx         /* EFER.LME */
  rdmsr
  or $0x100,%eax
  wrmsr
  mov %cr0,%eax
  or $0x80000000,%eax          /* paging */
  mov %eax,%cr0
  jmp paged
paged:
  mov $NV,%ebp
  cmpl $0x5247494d,(%ebp)      /* "MIGR" */
  jne first_boot
  cmpl $0x4d454d50,4(%ebp)     /* "PMEM" */
  jne first_boot
  mov 8(%ebp),%ebx
  call pattern_check
  mov $intact,%esi
  jz report
  mov $corrupt,%esi
  jmp report
first_boot:
  mov $none,%esi               /* a dword that does not read back: */
  movl $0x5a5a5a5a,12(%ebp)    /* no memory there */
  cmpl $0x5a5a5a5a,12(%ebp)
  jne report
  rdtsc
  mov %eax,%ebx
  call pattern_write
  mov %ebx,8(%ebp)
  movl $0x5247494d,(%ebp)
  movl $0x4d454d50,4(%ebp)
  mov $written,%esi
report:
  call puts
  call puthex
  mov $ready,%esi
  call puts
halt:
  hlt
  jmp halt

/* The pattern from seed %ebx over NV+64 .. NV+1 MiB: write it, or
 * compare it (ZF set when it all matches). */
pattern_write:
  mov $1,%dl
  jmp pattern
pattern_check:
  xor %dl,%dl
pattern:
  mov %ebx,%eax
  lea 64(%ebp),%edi
1:
  imul $1664525,%eax,%eax
  add $1013904223,%eax
  test %dl,%dl
  jz 2f
  mov %eax,(%edi)
  jmp 3f
2:
  cmp %eax,(%edi)
  jne 4f
3:
  add $64,%edi                 /* a dword per cache line: every guest */
  cmp $NV+0x100000,%edi        /* access to the NVDIMM may trap (nested) */
  jb 1b
  xor %eax,%eax                /* ZF: all equal */
4:
  ret

puts:
  mov $0x3f8,%dx
1:
  lodsb
  test %al,%al
  jz 2f
  out %al,%dx
  jmp 1b
2:
  ret

/* %ebx as 8 hex digits and a newline. */
puthex:
  mov $0x3f8,%dx
  mov $8,%ecx
1:
  rol $4,%ebx
  mov %bl,%al
  and $0xf,%al
  add $'0',%al
  cmp $'9',%al
  jbe 2f
  add $'a'-'9'-1,%al
2:
  out %al,%dx
  loop 1b
  mov $'\n',%al
  out %al,%dx
  ret

.set NV, 0x200000
written: .asciz "PMEM-WRITTEN "
intact:  .asciz "PMEM-INTACT "
corrupt: .asciz "PMEM-CORRUPT "
none:    .asciz "PMEM-NONE "
ready:   .asciz "MIGRATOR-GUEST-READY\n"
flat_gdt
end_of_code:
boot_sector_end
