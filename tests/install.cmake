# The installed tree (cmake --install into build/install-test/prefix) and the
# embed example built out of tree against it, through pkg-config and through
# find_package; the bash completion against build/bin/psp-sim.  The example
# links the plain way a user's host would, so sanitizer and fuzz builds
# (whose libpsp-core is instrumented) leave the install tests out.
add_test(NAME install.completion COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/completion.sh
  ${CMAKE_SOURCE_DIR}/dist/psp.bash-completion $<TARGET_FILE_DIR:psp-sim>)
set_tests_properties(install.completion PROPERTIES LABELS "install" TIMEOUT 60
  ENVIRONMENT "PSP_WORKLOAD_PATH=${CMAKE_SOURCE_DIR}/workloads")
if(PSP_SANITIZE OR PSP_FUZZ)
  return()
endif()
set(PSP_INSTALL_TEST ${CMAKE_BINARY_DIR}/install-test)
add_test(NAME install.layout COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/layout.sh
  ${CMAKE_BINARY_DIR} ${PSP_INSTALL_TEST}/prefix ${PROJECT_VERSION} ${PSP_ENGINE} ${PSP_DOCS}
  ${PSP_CORE_ABI})
set_tests_properties(install.layout PROPERTIES FIXTURES_SETUP psp_installed)
foreach(how pkgconfig cmake)
  add_test(NAME install.embed_${how} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/embed.sh
    ${how} ${CMAKE_SOURCE_DIR} ${PSP_INSTALL_TEST}/prefix ${PSP_INSTALL_TEST}/embed-${how})
  set_tests_properties(install.embed_${how} PROPERTIES FIXTURES_REQUIRED psp_installed)
endforeach()
set_tests_properties(install.layout install.embed_pkgconfig install.embed_cmake PROPERTIES
  LABELS "install" TIMEOUT 300)
