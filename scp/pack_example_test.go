package scp_test

import (
	"fmt"
	"log"

	"github.com/awsfoundation/foundation/scp"
)

// Pack the guardrails of two workload OUs: the guardrails both have move
// to their parent, the rest of each OU's go into as few SCPs as the limits
// allow, with the slots Control Tower holds counted.
func ExamplePack() {
	p, err := scp.Pack(scp.PackSpec{
		Targets: []string{"Workloads/Prod", "Workloads/Dev"},
		Guardrails: map[string][]scp.Guardrail{
			"Workloads/Prod": {
				scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
				scp.DenyRootUser(scp.RootUserOptions{}),
				scp.RestrictRegions(scp.RegionOptions{Allowed: []string{"eu-west-1"}}),
			},
			"Workloads/Dev": {
				scp.DenyLeaveOrganization(scp.LeaveOrganizationOptions{}),
				scp.DenyRootUser(scp.RootUserOptions{}),
			},
		},
		// Read them with ReadOccupied.
		Occupied: map[string][]string{"Workloads/Prod": {"aws-guardrails-AbCdEf"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range p.Hoisted {
		fmt.Println("hoisted", h.Guardrail, "to", h.To)
	}
	for _, pp := range p.Policies {
		fmt.Println(pp.Path, pp.Name, pp.Guardrails, pp.Size, "characters")
	}
	fmt.Println("free slots on Workloads/Prod:", p.Free["Workloads/Prod"], "unfit:", len(p.Unfit))
	// Output:
	// hoisted DenyLeaveOrganization to Workloads
	// hoisted DenyRootUser to Workloads
	// Workloads guardrails-Workloads-1 [DenyLeaveOrganization DenyRootUser] 279 characters
	// Workloads/Prod guardrails-Workloads-Prod-1 [RestrictRegions] 904 characters
	// free slots on Workloads/Prod: 8 unfit: 0
}
