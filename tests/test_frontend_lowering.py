"""Exact lowering of the constructs other parts rely on (boxing, select,
once, cond, context, test entries, methods, defer wrappers, loops)."""

from __future__ import annotations

from models import ir
from models.lang import CANCEL_FUNC, START, compile_go


def ops(fn: ir.Function) -> list[str]:
    return [i.op for i in fn.code]


def prog(body: str, imports: str = "", top: str = "") -> ir.Program:
    imp = f"import ({imports})\n\n" if imports else ""
    return compile_go(f"package main\n\n{imp}{top}\nfunc main() {{\n{body}\n}}\n", "t.go")


def test_captured_and_assigned_is_boxed_captured_only_is_by_value():
    p = prog('x := 0\nch := make(chan int)\ngo func() { x = 1; ch <- x }()\n<-ch')
    main = p.functions["main"]
    assert ops(main) == ["Const", "New", "Store", "MakeChan", "MakeClosure", "Go", "Recv", "Return"]
    assert main.slot_names == ("", "x", "ch")
    clo = p.functions["main$1"]
    assert (clo.ncaptures, clo.nparams) == (2, 0)
    assert clo.slot_names[:2] == ("x", "ch")
    assert ops(clo) == ["Const", "Store", "Load", "Send", "Return"]
    send = clo.code[3]
    assert isinstance(send, ir.Send) and send.ch == 1   # ch captured by value


def test_address_taken_is_boxed():
    p = prog("x := 1\np := &x\n*p = 2", )
    assert ops(p.functions["main"]) == ["Const", "New", "Store", "Move", "Const", "Store", "Return"]


def test_select_operands_before_select_then_branches():
    p = prog("a := make(chan int)\nb := make(chan int)\nselect {\ncase v := <-a:\n_ = v\n"
             "case b <- 7:\ndefault:\n}")
    code = p.functions["main"].code
    sel = next(i for i, c in enumerate(code) if isinstance(c, ir.Select))
    s = code[sel]
    assert s.has_default and [c.kind for c in s.cases] == ["recv", "send"]
    assert [c.op for c in code[2:sel]] == ["Move", "Move", "Const"]
    assert [c.op for c in code[sel + 1:sel + 7]] == ["Const", "BinOp", "Branch", "Const", "BinOp", "Branch"]
    assert s.pos == (7, 1)


def test_once_do():
    p = prog("var o sync.Once\no.Do(func() {})", imports='"sync"')
    assert ops(p.functions["main"]) == ["New", "MakeClosure", "OnceBegin", "Branch", "Call", "OnceEnd",
                                        "Nop", "Return"]


def test_cond_wait_and_locker():
    p = prog("var mu sync.Mutex\nc := sync.NewCond(&mu)\nc.L.Lock()\nc.Wait()\nc.L.Unlock()",
             imports='"sync"')
    # c.L is a sync.Locker: NewCond wraps &mu, c.L.Lock() dispatches (sync.Mutex.Lock$pbound)
    assert ops(p.functions["main"]) == ["New", "MakeIface", "MakeCond", "CondLocker", "IfaceMethod", "Call",
                                        "CondWait", "CondRelock", "CondLocker", "IfaceMethod", "Call", "Return"]
    assert ops(p.functions["sync.Mutex.Lock$pbound"]) == ["Lock", "Return"]


def test_context_with_cancel():
    p = prog("ctx, cancel := context.WithCancel(context.Background())\ndefer cancel()\n<-ctx.Done()",
             imports='"context"')
    main = p.functions["main"]
    assert ops(main) == ["Background", "WithCancel", "MakeClosure", "Defer", "CtxDone", "Recv", "Return"]
    mc = main.code[2]
    assert isinstance(mc, ir.MakeClosure) and mc.func == CANCEL_FUNC and mc.captures == (main.code[1].dst,)
    assert ops(p.functions[CANCEL_FUNC]) == ["Cancel", "Return"]
    assert p.functions[CANCEL_FUNC].ncaptures == 1


def test_test_entry_gets_nil_t_and_fatal_exits():
    src = ('package foo\n\nimport "testing"\n\nfunc TestA(t *testing.T) {\n\tt.Helper()\n'
           '\tt.Fatalf("x %d", 1)\n\tt.Errorf("y")\n\tt.Log("z")\n}\n')
    p = compile_go(src, "a_test.go", entry="TestA")
    assert p.entry == "TestA" and p.start == START
    assert ops(p.functions[START]) == ["Const", "Call", "Return"]
    assert p.functions[START].code[0].value is None
    fn = p.functions["TestA"]
    assert ops(fn) == ["Nop", "Const", "Const", "Print", "Goexit", "Const", "Print", "Const", "Print", "Return"]
    assert [c.kind for c in fn.code if isinstance(c, ir.Print)] == ["fatalf", "errorf", "log"]


def test_methods_and_embedded_mutex():
    p = prog("c := &C{}\nc.Inc()", imports='"sync"',
             top="type C struct {\n\tsync.Mutex\n\tn int\n}\n\nfunc (c *C) Inc() {\n\tc.Lock()\n"
                 "\tdefer c.Unlock()\n\tc.n++\n}\n")
    inc = p.functions["C.Inc"]
    assert ops(inc) == ["FieldObj", "Lock", "FieldObj", "Defer", "FieldAddr", "Load", "Const", "BinOp",
                        "Store", "Return"]
    wrapper = inc.code[3].func
    assert wrapper == "sync.Unlock@12:8"
    assert ops(p.functions[wrapper]) == ["Unlock", "Return"]
    assert p.types["C"].fields[0][1].kind == "sync.Mutex"


def test_loops_end_with_a_backward_jump():
    p = prog("for i := 0; i < 3; i++ {\nif i == 1 {\ncontinue\n}\n}\nfor {\nbreak\n}")
    code = p.functions["main"].code
    backs = [(i, c.target) for i, c in enumerate(code) if isinstance(c, ir.Jump) and c.back]
    assert backs == [(10, 1), (12, 11)]
    assert all(c.visible for c in code if isinstance(c, ir.Jump) and c.back)


def test_globals_initialized_in_start():
    p = compile_go("package main\n\nvar n = 3\nvar ch = make(chan int, n)\n\nfunc init() {}\n\n"
                   "func main() { ch <- n }\n", "g.go")
    assert [(g.name, str(g.type)) for g in p.globals] == [("n", "int"), ("ch", "chan int")]
    assert ops(p.functions[START]) == ["Const", "Addr", "Store", "Addr", "Load", "MakeChan", "Addr", "Store",
                                       "Call", "Call", "Return"]
    assert [c.func for c in p.functions[START].code if isinstance(c, ir.Call)] == ["init#1", "main"]


def test_atomics_and_wait_group():
    p = prog("var n int32\nvar wg sync.WaitGroup\nwg.Add(1)\ngo func() {\ndefer wg.Done()\n"
             "atomic.AddInt32(&n, 1)\n}()\nwg.Wait()\n_ = atomic.LoadInt32(&n)",
             imports='"sync"; "sync/atomic"')
    assert ops(p.functions["main"]) == ["New", "New", "Const", "WgAdd", "MakeClosure", "Go", "WgWait",
                                        "AtomicOp", "Return"]
    clo = p.functions["main$1"]
    assert ops(clo) == ["Defer", "Const", "AtomicOp", "Return"]
    assert [c.operator for c in clo.code if isinstance(c, ir.AtomicOp)] == ["add"]


def test_short_circuit_uses_branches():
    p = prog("a, b := 1, 2\nif a > 0 && b > 0 || a == 2 {\na = 3\n}")
    code = p.functions["main"].code
    assert sum(isinstance(c, ir.Branch) for c in code) == 3
    assert not any(isinstance(c, ir.BinOp) and c.operator in ("&&", "||") for c in code)


def test_time_durations_fold():
    p = prog("time.Sleep(10 * time.Millisecond)\n<-time.After(time.Second)", imports='"time"')
    code = p.functions["main"].code
    assert ops(p.functions["main"]) == ["Const", "Sleep", "Const", "After", "Recv", "Return"]
    assert (code[0].value, code[2].value) == (10_000_000, 1_000_000_000)


def test_struct_value_copy_is_field_by_field():
    p = prog("a := P{1, 2}\nb := a\nb.x = 5", top="type P struct {\n\tx, y int\n}\n")
    assert ops(p.functions["main"]).count("New") == 2
    assert ops(p.functions["main"]).count("Load") == 2
