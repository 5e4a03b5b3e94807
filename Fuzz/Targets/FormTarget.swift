import InputParsing

/// `application/x-www-form-urlencoded` bodies and query strings.
extension FuzzTarget {
    static let form = FuzzTarget(name: "form") { bytes in
        let form = FormFields(urlEncoded: bytes)
        for (name, values) in form.fields {
            _ = form[name]
            precondition(values.count <= FormFields.maximumFields)
        }
    }
}
