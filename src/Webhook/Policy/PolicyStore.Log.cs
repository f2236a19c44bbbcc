namespace Platform.Webhook.Policy;

internal sealed partial class PolicyStore
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
        Message = "Policy:File is not set; the built-in default policy is in force.")]
    private static partial void LogBuiltInDefault(ILogger logger);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Policy loaded from {PolicyFile} (fingerprint {PolicyFingerprint}).")]
    private static partial void LogLoaded(ILogger logger, string policyFile, string policyFingerprint);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information,
        Message = "Policy reloaded from {PolicyFile}; fingerprint {PolicyFingerprint} is now in force.")]
    private static partial void LogReloaded(ILogger logger, string policyFile, string policyFingerprint);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning,
        Message = "The new content of {PolicyFile} was refused; the last good policy (fingerprint {PolicyFingerprint}) stays in force. Errors: {PolicyErrors}")]
    private static partial void LogReloadRefused(ILogger logger, string policyFile, string policyFingerprint, string policyErrors);
}
