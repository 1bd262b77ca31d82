# psp-workload(5): docs/workloads.md (below its "# " title) under a NAME
# line, rendered to man(7) by lowdown, with the shipped files as EXAMPLES.
#   cmake -DPAGE=docs/workloads.md -DLOWDOWN=lowdown -DVERSION=x.y.z -DOUT=psp-workload.5 -P workload-man.cmake
file(READ ${PAGE} text)
string(REGEX MATCH "^# [^\n]*\n" title "${text}")
if(NOT title)
  message(FATAL_ERROR "${PAGE}: no \"# \" title line on top to make psp-workload(5) from")
endif()
string(LENGTH "${title}" len)
string(SUBSTRING "${text}" ${len} -1 body)
# the page's links are relative to docs/: name them as installed
string(REGEX REPLACE "\\]\\(([a-z-]+\\.md)(#[a-z0-9-]*)?\\)" "] (docs/\\1)" body "${body}")
set(md "${OUT}.md")
file(WRITE ${md} "title: PSP-WORKLOAD\nsection: 5\nsource: psp ${VERSION}\n\n"
  "# NAME\n\npsp-workload - the YAML workload files of psp-sim and psp-client\n\n"
  "# DESCRIPTION\n\n${body}\n\n"
  "# EXAMPLES\n\nThe shipped workloads, in share/psp/workloads under the installation prefix, "
  "run by name:\n\n    psp-sim --workload high-bimodal --policy darc\n    psp-sim --list\n\n"
  "the second lists them with the directory they are read from.  A file of your own runs by "
  "its path: `psp-sim --workload ./mine.yml`.\n\n"
  "# SEE ALSO\n\n**psp-sim**(1), **psp-client**(1); docs/workloads.md in share/doc/psp, "
  "the manual installed with psp\n")
execute_process(COMMAND ${LOWDOWN} -s -Tman --parse-no-super -o ${OUT} ${md}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "lowdown failed on ${md}")
endif()
