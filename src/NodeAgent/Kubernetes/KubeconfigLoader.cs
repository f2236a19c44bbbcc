using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Platform.NodeAgent.Kubernetes;

/// <summary>
/// Reads the parts of a kubeconfig the agent needs (current context → cluster server, CA, TLS
/// verification; user token, token file or client certificate) and the in-cluster service-account
/// config. Exec and auth-provider plugins are not supported: a node agent runs in-cluster, and a
/// laptop kubeconfig with a static token or client certificate is enough for development.
/// </summary>
internal static class KubeconfigLoader
{
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static bool IsInCluster(string serviceAccountDirectory = ServiceAccountDirectory) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"))
        && File.Exists(Path.Combine(serviceAccountDirectory, "token"));

    public static KubernetesEndpoint InCluster() =>
        InCluster(ServiceAccountDirectory, Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"), Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT"));

    internal static KubernetesEndpoint InCluster(string serviceAccountDirectory, string? host, string? port)
    {
        port ??= "443";
        if (string.IsNullOrEmpty(host))
        {
            throw new KubeconfigException("KUBERNETES_SERVICE_HOST is not set; not running in a pod.");
        }

        var caFile = Path.Combine(serviceAccountDirectory, "ca.crt");
        var server = new UriBuilder("https", host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)).Uri;
        return new KubernetesEndpoint(server, LoadPem(File.ReadAllText(caFile)), false, null, Path.Combine(serviceAccountDirectory, "token"), null);
    }

    public static KubernetesEndpoint Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new KubeconfigException($"{path} is empty or not a kubeconfig mapping.");
        }

        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var contextName = Scalar(root, "current-context") ?? throw new KubeconfigException($"{path} has no current-context.");
        var context = Named(root, "contexts", contextName, "context") ?? throw new KubeconfigException($"{path}: context '{contextName}' is not defined.");
        var clusterName = Scalar(context, "cluster") ?? throw new KubeconfigException($"{path}: context '{contextName}' names no cluster.");
        var cluster = Named(root, "clusters", clusterName, "cluster") ?? throw new KubeconfigException($"{path}: cluster '{clusterName}' is not defined.");
        var userName = Scalar(context, "user");
        var user = userName is null ? null : Named(root, "users", userName, "user");

        var server = Scalar(cluster, "server") ?? throw new KubeconfigException($"{path}: cluster '{clusterName}' has no server.");
        var ca = Scalar(cluster, "certificate-authority-data") is { } caData
            ? LoadPem(Encoding.ASCII.GetString(Convert.FromBase64String(caData)))
            : Scalar(cluster, "certificate-authority") is { } caFile ? LoadPem(File.ReadAllText(Resolve(baseDirectory, caFile))) : null;
        var skipVerify = string.Equals(Scalar(cluster, "insecure-skip-tls-verify"), "true", StringComparison.OrdinalIgnoreCase);

        string? token = null, tokenFile = null;
        X509Certificate2? clientCertificate = null;
        if (user is not null)
        {
            if (user.Children.ContainsKey("exec") || user.Children.ContainsKey("auth-provider"))
            {
                throw new KubeconfigException($"{path}: user '{userName}' uses an exec or auth-provider plugin, which the agent does not run; use a token or client certificate.");
            }

            token = Scalar(user, "token");
            tokenFile = Scalar(user, "tokenFile") is { } file ? Resolve(baseDirectory, file) : null;
            var certPem = Scalar(user, "client-certificate-data") is { } certData
                ? Encoding.ASCII.GetString(Convert.FromBase64String(certData))
                : Scalar(user, "client-certificate") is { } certFile ? File.ReadAllText(Resolve(baseDirectory, certFile)) : null;
            var keyPem = Scalar(user, "client-key-data") is { } keyData
                ? Encoding.ASCII.GetString(Convert.FromBase64String(keyData))
                : Scalar(user, "client-key") is { } keyFile ? File.ReadAllText(Resolve(baseDirectory, keyFile)) : null;
            if (certPem is not null && keyPem is not null)
            {
                using var pem = X509Certificate2.CreateFromPem(certPem, keyPem);
                // An ephemeral PEM key cannot be used by SslStream on every platform; round-trip through PKCS#12.
                clientCertificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
        }

        return new KubernetesEndpoint(new Uri(server), ca, skipVerify, token, tokenFile, clientCertificate);
    }

    private static X509Certificate2Collection LoadPem(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return collection.Count > 0 ? collection : throw new KubeconfigException("The certificate authority holds no PEM certificate.");
    }

    private static string Resolve(string baseDirectory, string path) => Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>Finds <c>{list}[name=…].{inner}</c>, the shape of kubeconfig's clusters, users and contexts.</summary>
    private static YamlMappingNode? Named(YamlMappingNode root, string list, string name, string inner)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(list), out var items) || items is not YamlSequenceNode sequence)
        {
            return null;
        }

        foreach (var item in sequence.Children.OfType<YamlMappingNode>())
        {
            if (Scalar(item, "name") == name && item.Children.TryGetValue(new YamlScalarNode(inner), out var body))
            {
                return body as YamlMappingNode ?? new YamlMappingNode();
            }
        }

        return null;
    }
}

/// <summary>A kubeconfig (or in-cluster config) that cannot be used; the message names the file and the part.</summary>
internal sealed class KubeconfigException(string message) : Exception(message);
