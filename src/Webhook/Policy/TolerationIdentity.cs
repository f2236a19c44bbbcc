namespace Platform.Webhook.Policy;

/// <summary>What makes two tolerations the same one; a value, so a pod's tolerations go into a hash set and
/// duplicates are found in one pass however many there are.</summary>
internal readonly record struct TolerationIdentity(string Key, string Operator, string Value, string Effect);
