# Included last by the root CMakeLists.txt: the commit in --version (version.cmake), the man
# page and completions generated from the CLI (docs.cmake), and what
# `cmake --install build [--prefix P]` installs: the binary, that man page and those
# completions, the example config, the systemd units and the cron example, each where a
# distribution keeps them. scripts/package.sh installs with --prefix /usr into a .deb.
include(GNUInstallDirs)
include(${CMAKE_CURRENT_LIST_DIR}/version.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/docs.cmake)

install(TARGETS dredge RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${DREDGE_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${DREDGE_DOCS_DIR}/completions/dredge.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME dredge)
install(FILES ${DREDGE_DOCS_DIR}/completions/dredge.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
# zsh: Debian's zsh reads /usr/share/zsh/vendor-completions; elsewhere (/usr/local, a home
# prefix) site-functions is the place users add to $fpath.
set(DREDGE_ZSH_COMPLETION_DIR "" CACHE STRING
  "zsh completion directory under the prefix (default: share/zsh/vendor-completions for /usr, else share/zsh/site-functions)")
install(CODE "
  set(zsh_dir \"${DREDGE_ZSH_COMPLETION_DIR}\")
  if(NOT zsh_dir)
    if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
      set(zsh_dir share/zsh/vendor-completions)
    else()
      set(zsh_dir share/zsh/site-functions)
    endif()
  endif()
  file(INSTALL \"${DREDGE_DOCS_DIR}/completions/_dredge\"
       DESTINATION \"\${CMAKE_INSTALL_PREFIX}/\${zsh_dir}\")")

set(DREDGE_DOC_DEST ${CMAKE_INSTALL_DATADIR}/doc/dredge)
install(FILES ${PROJECT_SOURCE_DIR}/dredge.example.toml ${PROJECT_SOURCE_DIR}/README.md
  ${PROJECT_SOURCE_DIR}/docs/operations.md DESTINATION ${DREDGE_DOC_DEST})
install(FILES ${PROJECT_SOURCE_DIR}/contrib/crontab.example DESTINATION ${DREDGE_DOC_DEST}/examples)

# systemd units: lib/systemd/system under the prefix (/usr/lib/systemd/system for the package),
# with ExecStart pointing at the installed binary (contrib/ names /usr/local/bin/dredge).
# They are installed, not enabled: the operator enables the timer once dredge.toml exists.
install(FILES ${PROJECT_SOURCE_DIR}/contrib/systemd/dredge-backup.timer
  DESTINATION lib/systemd/system)
install(CODE "
  file(READ \"${PROJECT_SOURCE_DIR}/contrib/systemd/dredge-backup.service\" unit)
  string(REPLACE \"/usr/local/bin/dredge\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/dredge\" unit \"\${unit}\")
  file(WRITE \"${PROJECT_BINARY_DIR}/install/dredge-backup.service\" \"\${unit}\")
  file(INSTALL \"${PROJECT_BINARY_DIR}/install/dredge-backup.service\"
       DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")")
