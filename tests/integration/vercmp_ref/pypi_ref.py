# Reference for vercmp_reference.sh: the `packaging` library's PEP 440 Version (what pip uses).
# Reads "A<TAB>B" lines and prints <, = or > (E when either is not a PEP 440 version);
# with --valid reads one version per line and prints valid or invalid.
import sys
from packaging.version import InvalidVersion, Version


def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None


out = []
if len(sys.argv) > 1 and sys.argv[1] == "--valid":
    for line in sys.stdin:
        out.append("valid" if parse(line.rstrip("\n")) is not None else "invalid")
else:
    for line in sys.stdin:
        a, b = line.rstrip("\n").split("\t", 1)
        va, vb = parse(a), parse(b)
        if va is None or vb is None:
            out.append("E")
        else:
            out.append("<" if va < vb else ">" if va > vb else "=")
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
