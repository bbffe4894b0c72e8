# Generated documentation and the FHS install layout (`cmake --install build [--prefix P]`):
#   bin/lading                      the CLI (RPATH $ORIGIN/../lib unless LADING_INSTALL_RPATH=OFF)
#   lib/liblading.so.0 (+ .so)      the library, SONAME liblading.so.0, only lading_* exported
#   include/lading/                 the public headers
#   lib/pkgconfig/lading.pc         pkg-config module `lading`
#   share/lading/                   data files (data/: classifier table, honeypot rules, ...)
#   share/man/man1/                 lading(1), lading-COMMAND(1): made by `lading help-man`
#   bash-completion, zsh site-functions, fish vendor_completions.d: `lading completion SHELL`

# Man pages and completions come from the built CLI's command table (the same source as --help),
# at build time, so a command added to the table gets both with no other edit.
set(LADING_GEN_DIR ${PROJECT_BINARY_DIR}/generated-doc)
add_custom_command(OUTPUT ${LADING_GEN_DIR}/stamp
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${LADING_GEN_DIR}/man1
  COMMAND ${CMAKE_COMMAND} -E make_directory ${LADING_GEN_DIR}/man1 ${LADING_GEN_DIR}/completions
  COMMAND $<TARGET_FILE:lading_cli> help-man --dir ${LADING_GEN_DIR}/man1
  COMMAND $<TARGET_FILE:lading_cli> completion bash > ${LADING_GEN_DIR}/completions/lading.bash
  COMMAND $<TARGET_FILE:lading_cli> completion zsh > ${LADING_GEN_DIR}/completions/_lading
  COMMAND $<TARGET_FILE:lading_cli> completion fish > ${LADING_GEN_DIR}/completions/lading.fish
  COMMAND ${CMAKE_COMMAND} -E touch ${LADING_GEN_DIR}/stamp
  DEPENDS lading_cli VERBATIM)
add_custom_target(lading_doc ALL DEPENDS ${LADING_GEN_DIR}/stamp)

install(TARGETS lading_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS lading LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_SKIP)
install(TARGETS lading LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_ONLY COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/lading DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data/ DESTINATION ${CMAKE_INSTALL_DATADIR}/lading)
install(DIRECTORY ${LADING_GEN_DIR}/man1 DESTINATION ${CMAKE_INSTALL_MANDIR})

# Completion directories: the shells' own (bash-completion's pkg-config variable, else the FHS
# default under the prefix).
set(LADING_BASH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" CACHE STRING
    "where lading's bash completion goes (relative to the prefix)")
install(FILES ${LADING_GEN_DIR}/completions/lading.bash DESTINATION ${LADING_BASH_COMPLETION_DIR}
        RENAME lading)
set(LADING_ZSH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/zsh/site-functions" CACHE STRING
    "where lading's zsh completion goes (Debian: share/zsh/vendor-completions)")
install(FILES ${LADING_GEN_DIR}/completions/_lading DESTINATION ${LADING_ZSH_COMPLETION_DIR})
install(FILES ${LADING_GEN_DIR}/completions/lading.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# pkg-config: `cc $(pkg-config --cflags --libs lading) prog.c`. Libs.private names the libraries
# liblading uses for a static link (--static); as libraries, not Requires.private, so that the
# shared case needs none of their -dev packages.
# A relocatable tree (LADING_INSTALL_RPATH) finds its prefix from the .pc file's own place.
if(LADING_INSTALL_RPATH)
  file(RELATIVE_PATH _pc_rel ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
  string(REGEX REPLACE "/$" "" _pc_rel "${_pc_rel}")
  set(LADING_PC_PREFIX "\${pcfiledir}/${_pc_rel}")
else()
  set(LADING_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/lading.pc.in ${PROJECT_BINARY_DIR}/lading.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/lading.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
