/* Resource-ordered dining philosophers, the forks passed to each process as
 * parameters so every process starts at `think`.  One statement per step;
 * the same transition system as checker.examples.PhilFlat.
 * Build: spin -DN=8 -a phil_flat.pml && gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c */
#ifndef N
#define N 5
#endif

bool fork[N];
byte eating;

proctype phil(byte a, b)
{
think:
	atomic { !fork[a] -> fork[a] = true };
	atomic { !fork[b] -> fork[b] = true };
	eating++;
	assert(eating <= N/2);
	eating--;
	fork[b] = false;
	fork[a] = false;
	goto think
}

init {
	atomic {
		byte i = 0;
		do
		:: i < N-1 -> run phil(i, i+1); i++
		:: else -> break
		od;
#ifdef DEADLOCK
		run phil(N-1, 0)
#else
		run phil(0, N-1)
#endif
	}
}
