"""sgbed: the sendguard end-to-end test bed (private Postfix + sendguard + sink).

Import as `from sgbed import bed, submit`; see bed.TestBed for the contract.
"""
