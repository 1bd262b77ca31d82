# psp-workload(5): the README's "Workload files" section (up to the next
# "## " heading) under a NAME line, rendered to man(7) by lowdown.
#   cmake -DREADME=README.md -DLOWDOWN=lowdown -DVERSION=x.y.z -DOUT=psp-workload.5 -P workload-man.cmake
set(heading "\n## Workload files\n")
file(READ ${README} text)
string(FIND "${text}" "${heading}" start)
if(start LESS 0)
  message(FATAL_ERROR "${README}: no \"## Workload files\" section to make psp-workload(5) from")
endif()
string(LENGTH "${heading}" len)
math(EXPR start "${start} + ${len}")
string(SUBSTRING "${text}" ${start} -1 body)
string(FIND "${body}" "\n## " end)
if(end GREATER_EQUAL 0)
  string(SUBSTRING "${body}" 0 ${end} body)
endif()
set(md "${OUT}.md")
file(WRITE ${md} "title: PSP-WORKLOAD\nsection: 5\nsource: psp ${VERSION}\n\n"
  "# NAME\n\npsp-workload - the YAML workload files of psp-sim and psp-client\n\n"
  "# DESCRIPTION\n\n${body}\n\n"
  "# SEE ALSO\n\n**psp-sim**(1), **psp-client**(1)\n")
execute_process(COMMAND ${LOWDOWN} -s -Tman --parse-no-super -o ${OUT} ${md}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "lowdown failed on ${md}")
endif()
