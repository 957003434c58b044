# Turns a text file into a C source defining one NUL-terminated string:
#   cmake -DINPUT=file -DOUTPUT=file.c -DSYMBOL=name -P embed_text.cmake
# Used for assets/keys.conf, so the default key bindings are compiled in
# (the way tig compiles in its tigrc) and the build needs no extra tool.
file(READ "${INPUT}" text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\n" "\\n\"\n    \"" text "${text}")
file(WRITE "${OUTPUT}.tmp"
    "/* Generated from ${INPUT} by cmake/embed_text.cmake: do not edit. */\n"
    "#include <portalctl/keymap.h>\n"
    "const char ${SYMBOL}[] =\n    \"${text}\";\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
