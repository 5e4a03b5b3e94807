/// The six groups the district reports on.
public enum StakeholderGroup: String, Sendable, Codable, CaseIterable {
    case administrators
    case teachersStaff = "teachers_staff"
    case students
    case families
    case communityPartners = "community_partners"
    case governmentBoards = "government_boards"
}

public enum Role: String, Sendable, Codable, CaseIterable {
    case admin, liaison
}
