using System.Security.Cryptography.X509Certificates;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>
/// Where and how to reach the API server: base address, the CA bundle to trust (null: the system
/// store), credentials (bearer token, a token file re-read on every request because projected
/// service-account tokens rotate, or a client certificate).
/// </summary>
internal sealed record KubernetesEndpoint(
    Uri Server,
    X509Certificate2Collection? CaCertificates,
    bool SkipTlsVerify,
    string? Token,
    string? TokenFile,
    X509Certificate2? ClientCertificate);
