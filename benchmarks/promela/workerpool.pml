/* Twin of perf_programs.workerpool_src: 3 workers drain N jobs from a
 * buffered channel (close = a flag), add them under a mutex (a guarded
 * bit); main sends the jobs, closes, waits for the WaitGroup counter. */
#ifndef N
#define N 4
#endif
chan jobs = [N] of { byte };
bit closed = 0;
bit mu = 0;
byte sum = 0;
byte wg = 0;

proctype worker()
{
	byte j;
	do
	:: jobs?j ->
	   atomic { mu == 0 -> mu = 1 };
	   sum = sum + j;
	   mu = 0
	:: atomic { empty(jobs) && closed -> break }
	od;
	wg = wg - 1
}

init {
	byte i = 0;
	atomic { wg = wg + 1; run worker() };
	atomic { wg = wg + 1; run worker() };
	atomic { wg = wg + 1; run worker() };
	do
	:: i < N -> jobs!i; i++
	:: i == N -> break
	od;
	closed = 1;
	wg == 0;
	assert(sum == N * (N - 1) / 2)
}
