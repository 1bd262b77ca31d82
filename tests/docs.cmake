# The documented commands (CONTRIBUTING.md, "Documented commands"): the fenced
# blocks of README.md, CONTRIBUTING.md and docs/*.md run by
# tests/docs/run_docs.sh, each in a fresh directory made like the source tree.
#   docs.lint     every block that looks like shell runs or is excused; every
#                 relative link reaches its file and heading
#   docs.reference  docs/reference.md is what the programs' --help and
#                 psp-sim --list print (tools/doc-reference.sh)
#   docs.sim      psp-sim's blocks, short settings (tests/docs/psp-sim-short.sh):
#                 3 s of CPU
#   docs.figures  quoted outputs against the command run as printed (full
#                 settings: about 2 min of CPU, most of it the README's main
#                 job, 105 s, a block of its own: 480 s a block; under the
#                 sanitizers it only repeats psp-sim runs the sim label
#                 covers, so no-asan)
#   docs.engine   psp-engine/psp-client's blocks (root; RUN_SERIAL like the
#                 engine label's tests)
set(PSP_DOCS_RUN ${CMAKE_CURRENT_SOURCE_DIR}/docs/run_docs.sh)
add_test(NAME docs.lint COMMAND ${PSP_DOCS_RUN} lint ${CMAKE_SOURCE_DIR})
set_tests_properties(docs.lint PROPERTIES LABELS "unit;docs" TIMEOUT 60)
add_test(NAME docs.reference COMMAND ${CMAKE_SOURCE_DIR}/tools/doc-reference.sh --check
  ${CMAKE_BINARY_DIR}/bin ${CMAKE_SOURCE_DIR}/docs/reference.md)
set_tests_properties(docs.reference PROPERTIES LABELS "sim;docs" TIMEOUT 60)
add_test(NAME docs.sim COMMAND ${PSP_DOCS_RUN} sim ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/bin)
# (under the sanitizers a minute of CPU for psp-sim runs that sim.shard,
# sim.trace and the sim label already make there: no-asan)
set_tests_properties(docs.sim PROPERTIES LABELS "sim;docs;no-asan" TIMEOUT 300)
add_test(NAME docs.figures COMMAND ${PSP_DOCS_RUN} figures ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/bin)
set_tests_properties(docs.figures PROPERTIES LABELS "sim;docs;no-asan" TIMEOUT 900
  ENVIRONMENT "DOC_BLOCK_TIMEOUT=480")
if(TARGET psp-engine AND TARGET psp-client)
  add_test(NAME docs.engine COMMAND ${PSP_DOCS_RUN} engine ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/bin)
  set_tests_properties(docs.engine PROPERTIES LABELS "engine;docs" TIMEOUT 300
    RUN_SERIAL TRUE SKIP_RETURN_CODE 77)
endif()
