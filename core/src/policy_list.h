/* The policy table, in --list order: one line per policy, X(name) for the
 * ops table psp_<name>_ops its file core/src/policy_<name>.c defines.
 * policy.c declares and lists them from here; nothing else needs a new
 * policy's name. */
X(cfcfs)
X(dfcfs)
X(darc)
X(ts)
X(sjf)
X(jbsq)
X(ws)
X(tq)
X(concord)
X(rts)
X(srpt)
X(psjf)
X(ps)
X(fb)
