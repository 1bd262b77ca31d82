# Fuzz targets (tests/fuzz/): each fuzz_<target>.c defines
# LLVMFuzzerTestOneInput.  In every build, fuzz_replay_<target> runs it on
# the committed seeds and regression inputs (tests fuzz.replay.*, labels unit
# or sim).  With -DPSP_FUZZ=ON (clang) fuzz_<target> links libFuzzer and the
# tests fuzz.<target> (label fuzz) run each for PSP_FUZZ_SECONDS.
set(PSP_FUZZ_DIR ${CMAKE_SOURCE_DIR}/tests/fuzz)
set(PSP_FUZZ_SECONDS 60 CACHE STRING "Seconds each fuzz.<target> test fuzzes for")
set(PSP_FUZZ_TARGETS frame workload options config trace shard sweep)

foreach(t ${PSP_FUZZ_TARGETS})
  set(srcs ${PSP_FUZZ_DIR}/fuzz_${t}.c ${PSP_FUZZ_DIR}/fuzz_util.c)
  if(t STREQUAL "frame")
    # The parser and builders are pure C over bytes: no DPDK needed.
    list(APPEND srcs ${CMAKE_SOURCE_DIR}/engine/common/rx_parse.c
                     ${CMAKE_SOURCE_DIR}/engine/common/frame.c)
    set(libs "")
    set(label unit)
  elseif(t STREQUAL "config")
    # The engine's and client's config loaders are plain C over libyaml:
    # fuzzed without DPDK.
    list(APPEND srcs ${CMAKE_SOURCE_DIR}/engine/common/yconf.c
                     ${CMAKE_SOURCE_DIR}/engine/server/config.c
                     ${CMAKE_SOURCE_DIR}/engine/client/config.c)
    set(libs psp_workload psp_ydoc psp_core PkgConfig::YAML m)
    set(label unit)
  elseif(t STREQUAL "sweep")
    # psp-sweep's reader is not in psp_simlib (psp-sim has no YAML of its own).
    list(APPEND srcs ${CMAKE_SOURCE_DIR}/sweep/sweepfile.c)
    set(libs psp_simlib psp_ydoc psp_workload psp_core PkgConfig::YAML m)
    set(label sim)
  else()
    set(libs psp_simlib psp_workload psp_core m)
    if(t STREQUAL "workload" OR t STREQUAL "trace" OR t STREQUAL "shard")
      set(label sim)
    else()
      set(label unit)
    endif()
  endif()
  foreach(kind replay fuzz)
    if(kind STREQUAL "fuzz" AND NOT PSP_FUZZ)
      continue()
    endif()
    if(kind STREQUAL "replay")
      set(exe fuzz_replay_${t})
      add_executable(${exe} ${srcs} ${PSP_FUZZ_DIR}/replay.c)
    else()
      set(exe fuzz_${t})
      add_executable(${exe} ${srcs})
      target_link_options(${exe} PRIVATE -fsanitize=fuzzer)
    endif()
    target_include_directories(${exe} PRIVATE ${PSP_FUZZ_DIR} ${CMAKE_SOURCE_DIR}/engine
                                              ${CMAKE_SOURCE_DIR}/sweep)
    target_link_libraries(${exe} PRIVATE ${libs})
  endforeach()

  add_test(NAME fuzz.replay.${t} COMMAND fuzz_replay_${t}
           ${PSP_FUZZ_DIR}/corpus/${t} ${PSP_FUZZ_DIR}/regressions/${t})
  set_tests_properties(fuzz.replay.${t} PROPERTIES LABELS "${label}" TIMEOUT 300)

  if(PSP_FUZZ)
    # New inputs go to the build tree; the committed corpus and regressions
    # are read only.  A crash leaves fuzz-artifacts/<target>-crash-*: copy
    # it to tests/fuzz/regressions/<target>/ once fixed.
    set(work ${CMAKE_BINARY_DIR}/fuzz-corpus/${t})
    file(MAKE_DIRECTORY ${work} ${CMAKE_BINARY_DIR}/fuzz-artifacts)
    add_test(NAME fuzz.${t} COMMAND fuzz_${t}
             -max_total_time=${PSP_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048
             -close_fd_mask=3 -print_final_stats=1 -dict=${PSP_FUZZ_DIR}/dict/${t}.dict
             -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz-artifacts/${t}-
             ${work} ${PSP_FUZZ_DIR}/corpus/${t} ${PSP_FUZZ_DIR}/regressions/${t})
    math(EXPR limit "${PSP_FUZZ_SECONDS} * 2 + 60")
    # one libFuzzer process per test, one CPU each: `ctest -j` runs them side by side
    set_tests_properties(fuzz.${t} PROPERTIES LABELS "fuzz" TIMEOUT ${limit})
  endif()
endforeach()
