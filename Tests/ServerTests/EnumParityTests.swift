import Engagement
import Testing

@testable import Server

/// The API maps the contract's enums to the domain's by raw value (API.swift and its
/// extensions, allowed by Deploy/trap-allowlist.txt): every case on each side has its twin.
@Suite("Contract and domain enums have the same cases (pure)")
struct EnumParityTests {
    @Test func stakeholderGroupsQuestionKindsAndSignupStatuses() {
        #expect(Set(Components.Schemas.StakeholderGroup.allCases.map(\.rawValue)) == Set(StakeholderGroup.allCases.map(\.rawValue)))
        #expect(Set(Components.Schemas.QuestionKind.allCases.map(\.rawValue)) == Set(QuestionKind.allCases.map(\.rawValue)))
        #expect(Set(Components.Schemas.SignupStatus.allCases.map(\.rawValue)) == Set(SignupStatus.allCases.map(\.rawValue)))
    }
}
