// Package etk checks the practitioner's ETK, the public encryption key that
// eHealth publishes for them (ehealth-protocol.md §11): is it the key of the
// keystore in use?
//
// After a renewal the new keystore holds a new encryption key, whose ETK the
// practitioner must activate in the eHealth Certificate Manager. Until then
// eHealth keeps publishing the old ETK, and messages encrypted for them
// cannot be read with the new keystore. The check:
//
//   - Client asks the EtkDepot (GetEtk, plain SOAP over HTTPS through package
//     soap) for the ETKs published for an SSIN, following a MatchingEtk list,
//     and DecodeETK reads each one's encryption certificate out of its CMS;
//   - Compare says whose it is: the keystore in use (ok), an older keystore
//     of the same SSIN (not-activated), none (mismatch), or nothing is
//     published (not-found). The encryption-key aliases, decimal serials,
//     are read without the password (cert.EncryptionKeyAliases); with it, the
//     public keys are compared too;
//   - Checker does both for the CLI and the tray, and Record, Due and
//     ShouldNotify let the tray check once a day and notify at most once a
//     day, across restarts.
//
// Errors carry the CLI kinds etk-response and etk-unavailable; network,
// timeout and tls-untrusted come from package soap.
package etk
