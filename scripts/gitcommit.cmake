# Write OUT (a header defining LADING_COMMIT) with the short hash of the source tree SRC, as
# `git rev-parse --short HEAD` prints it, else $LADING_GIT_COMMIT, else "unknown". Run at every build; the file
# is rewritten only when the hash changed, so nothing recompiles otherwise.
execute_process(COMMAND git -C "${SRC}" rev-parse --short HEAD
  OUTPUT_VARIABLE commit ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  # a copy of the sources without .git (a package build) may be told the commit
  if(DEFINED ENV{LADING_GIT_COMMIT} AND "$ENV{LADING_GIT_COMMIT}" MATCHES "^[0-9a-f]+$")
    set(commit "$ENV{LADING_GIT_COMMIT}")
  else()
    set(commit "unknown")
  endif()
endif()
set(text "#define LADING_COMMIT \"${commit}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${text}")
