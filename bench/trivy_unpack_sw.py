# gdb -q -batch -x bench/trivy_unpack_sw.py --args PACKED_TRIVY --version   (env OUT=path)
# Rebuilds the UPX-packed Trivy of ../shared/tools/peer as a plain ELF where the VM offers no
# hardware breakpoints (the shared unpack-trivy.sh needs one; on such VMs it runs straight
# past the entry point). Instead: stop at each munmap until the stub has written the original
# entry code, put a software breakpoint there, and at the entry point (everything decompressed,
# the Go runtime not started) copy every PT_LOAD segment back to its file offset.
import os, struct
import gdb

BASE = 0x400000  # the original non-PIE static Go binary's load address
out = os.environ["OUT"]
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set startup-with-shell off")
gdb.execute("catch syscall munmap")
gdb.execute("starti")
inf = gdb.selected_inferior()
with open(gdb.current_progspace().filename, "rb") as f:
    packed_entry = struct.unpack_from("<Q", f.read(64), 0x18)[0]  # the UPX stub's entry


def read(addr, n):
    return bytes(inf.read_memory(addr, n))


def header():
    try:
        h = read(BASE, 64)
    except gdb.MemoryError:
        return None
    return h if h[:4] == b"\x7fELF" else None


entry = None
for _ in range(64):
    gdb.execute("continue", to_string=True)
    h = header()
    if h is None:
        continue
    entry = struct.unpack_from("<Q", h, 0x18)[0]
    if entry == packed_entry:  # still the packed file's own header
        entry = None
        continue
    try:
        if read(entry, 8) != bytes(8):
            break
    except gdb.MemoryError:
        pass
    entry = None
if entry is None:
    raise SystemExit("unpack: the entry code never appeared")
gdb.execute("delete")
gdb.execute(f"break *{entry:#x}")
gdb.execute("continue", to_string=True)
if int(gdb.parse_and_eval("$pc")) != entry:
    raise SystemExit("unpack: did not stop at the entry point")

h = header()
phoff = struct.unpack_from("<Q", h, 0x20)[0]
phentsize, phnum = struct.unpack_from("<HH", h, 0x36)
segs = []
for i in range(phnum):
    ph = read(BASE + phoff + i * phentsize, 56)
    p_type, _, off, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", ph)
    if p_type == 1 and filesz:
        segs.append((off, read(vaddr, filesz)))
img = bytearray(max(off + len(b) for off, b in segs))
for off, b in segs:
    img[off:off + len(b)] = b
struct.pack_into("<Q", img, 0x28, 0)          # UPX dropped the section headers: say there are none
struct.pack_into("<HHH", img, 0x3A, 0, 0, 0)
with open(out + ".tmp", "wb") as f:
    f.write(img)
os.chmod(out + ".tmp", 0o755)
os.rename(out + ".tmp", out)
gdb.execute("kill")
print(f"unpack: entry {entry:#x}, {len(segs)} segments, {len(img)} bytes -> {out}")
