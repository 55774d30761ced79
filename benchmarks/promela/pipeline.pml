/* Twin of perf_programs.pipeline_src: gen -> square -> init over
 * rendezvous channels; init takes N values, cancels (a flag that every
 * select's Done case waits on) and waits for both stages. */
#ifndef N
#define N 3
#endif
chan a = [0] of { int };
chan b = [0] of { int };
bit cancelled = 0;
byte wg = 2;

proctype gen()
{
	int i = 0;
	do
	:: a!i -> i++
	:: cancelled -> break
	od;
	wg = wg - 1
}

proctype square()
{
	int v;
	do
	:: a?v ->
	   if
	   :: b!v * v
	   :: cancelled -> break
	   fi
	:: cancelled -> break
	od;
	wg = wg - 1
}

init {
	byte k = 0;
	int x;
	run gen();
	run square();
	do
	:: k < N -> b?x; k++
	:: k == N -> break
	od;
	cancelled = 1;
	wg == 0
}
