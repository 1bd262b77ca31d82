# psp_preempt (engine/preempt): the preemptible-execution library's unit
# suite.  The library has no DPDK dependency, so it is built here even when
# the engine is not (PSP_ENGINE=OFF); when the engine's CMakeLists already
# added it, that target is reused.  Not built where PSP_PREEMPT is OFF.
get_property(_psp_preempt_added GLOBAL PROPERTY PSP_PREEMPT_ADDED)
if(NOT _psp_preempt_added)
  add_subdirectory(${CMAKE_SOURCE_DIR}/engine/preempt ${CMAKE_BINARY_DIR}/preempt)
endif()
if(TARGET psp_preempt)
  add_executable(check_preempt ${CMAKE_CURRENT_SOURCE_DIR}/preempt/check_preempt.c
                 ${CMAKE_CURRENT_SOURCE_DIR}/check_main.c)
  target_compile_definitions(check_preempt PRIVATE PSP_SUITE=psp_preempt_suite)
  target_link_libraries(check_preempt PRIVATE psp_preempt PkgConfig::CHECK Threads::Threads m)
  # The suite counts allocations made after the pool's init by wrapping the
  # allocators at link time.
  target_link_options(check_preempt PRIVATE
    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=mmap)
  add_test(NAME unit.preempt COMMAND check_preempt)
  set_tests_properties(unit.preempt PROPERTIES LABELS "unit" TIMEOUT 120)
endif()
