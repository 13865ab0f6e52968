package bftlist

import (
	"fmt"
	"testing"
	"unsafe"
)

func TestZZLayout(t *testing.T) {
	var r Replica
	fmt.Println("Replica", unsafe.Sizeof(r))
	fmt.Println("cfg", unsafe.Offsetof(r.cfg), unsafe.Sizeof(r.cfg))
	fmt.Println("p", unsafe.Offsetof(r.p), unsafe.Sizeof(r.p))
	fmt.Println("n", unsafe.Offsetof(r.n), "id", unsafe.Offsetof(r.id), "env", unsafe.Offsetof(r.env), "conduct", unsafe.Offsetof(r.conduct))
	fmt.Println("ve", unsafe.Offsetof(r.ve), unsafe.Sizeof(r.ve))
	fmt.Println("rep", unsafe.Offsetof(r.rep), unsafe.Sizeof(r.rep))
	fmt.Println("pm", unsafe.Offsetof(r.pm), unsafe.Sizeof(r.pm))
	fmt.Println("fd", unsafe.Offsetof(r.fd), unsafe.Sizeof(r.fd))
	fmt.Println("link", unsafe.Offsetof(r.link), unsafe.Sizeof(r.link))
	fmt.Println("efd", unsafe.Offsetof(r.efd), unsafe.Sizeof(r.efd))
	fmt.Println("rearm", unsafe.Offsetof(r.rearm))
	fmt.Println("VCM", unsafe.Sizeof(VCM{}), "RepStructure", unsafe.Sizeof(RepStructure{}), "LogEntry", unsafe.Sizeof(LogEntry{}), "ReqPair", unsafe.Sizeof(ReqPair{}), "VEData", unsafe.Sizeof(VEData{}), "ClientReq", unsafe.Sizeof(ClientReq{}))
	fmt.Println("Costs", unsafe.Offsetof(r.cfg.Costs))
	fmt.Println("ve.allowAt", unsafe.Offsetof(r.ve.allowAt), "ve.got", unsafe.Offsetof(r.ve.got), "rep.rep", unsafe.Offsetof(r.rep.rep), "pm.vcm", unsafe.Offsetof(r.pm.vcm))
}
