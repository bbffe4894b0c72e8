# Turn data/binary-classifiers.tsv into a C byte array for src/lib/catalog/binary.c.
# cmake -DIN=<tsv> -DOUT=<inc> -P embed-classifiers.cmake
file(READ "${IN}" hex HEX)
file(SHA256 "${IN}" sum)
string(SUBSTRING "${sum}" 0 16 sum)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}.tmp" "/* generated from data/binary-classifiers.tsv: do not edit */\n#define CLASSIFIER_TABLE_SHA \"${sum}\"\nstatic const char classifier_tsv[] = {\n${bytes}0x00};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
