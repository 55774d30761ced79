/* Twin of benchmarks/perf_programs.py philosophers_src: N philosophers, each
 * fork a sync.Mutex (here a guarded bit), eating for ever.  Default: left
 * then right (deadlocks); -DORDERED: the last one takes right first. */
#ifndef N
#define N 5
#endif
bit fork[N];

proctype phil(byte first; byte second)
{
end:
	do
	:: atomic { fork[first] == 0 -> fork[first] = 1 };
	   atomic { fork[second] == 0 -> fork[second] = 1 };
	   fork[second] = 0;
	   fork[first] = 0
	od
}

init {
	byte i = 0;
	atomic {
	do
	:: i < N - 1 -> run phil(i, i + 1); i++
	:: i == N - 1 -> break
	od;
#ifdef ORDERED
	run phil(0, N - 1)
#else
	run phil(N - 1, 0)
#endif
	}
}
