package dev.backstop.operator.git;

import dev.backstop.operator.core.Failures;
import dev.backstop.operator.state.FileTrees;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import dev.backstop.operator.core.TagOutcome;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.PushCommand;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import static dev.backstop.operator.git.SourceException.Kind.REF_NOT_FOUND;
import static dev.backstop.operator.git.SourceException.Kind.UNAVAILABLE;
import static dev.backstop.operator.git.SourceException.Kind.UNSAFE;

/** {@link SourceRepository} backed by JGit, with one bare mirror per URL under a cache root. */
public final class JGitSourceRepository implements SourceRepository {

  private static final Logger LOG = LoggerFactory.getLogger(JGitSourceRepository.class);

  /** The environment variable holding the process's own git token (local mode). */
  public static final String TOKEN_VARIABLE = "BACKSTOP_GIT_TOKEN";
  static final String USERNAME_VARIABLE = "BACKSTOP_GIT_USERNAME";

  /**
   * A fetch, clone or ls-remote whose remote sends nothing for this long (connect included) is abandoned:
   * JGit's transport timeout, which bounds each read of http, git and ssh transports alike.
   */
  public static final Duration FETCH_TIMEOUT = Duration.ofSeconds(120);

  private static final Pattern FULL_SHA = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern SHA_PREFIX = Pattern.compile("[0-9a-fA-F]{4,40}");
  private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/\\s]*@");
  private static final Pattern USER_INFO_PART =
      Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://([^/\\s]*)@");
  private static final Pattern SCP_LIKE = Pattern.compile("[^/:@]+@[^/:]+:.*");
  private static final String PRE_DEPLOY_PREFIX = "refs/tags/pre-deploy-";
  private static final String PRE_DEPLOY_TAGS = PRE_DEPLOY_PREFIX + "*";
  private static final List<RefSpec> MIRROR_REFSPECS =
      List.of(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"),
          // Pre-deploy tags are the cache's own (their push may have failed): a fetch never prunes them.
          new RefSpec("^" + PRE_DEPLOY_TAGS));

  private final Path cacheRoot;
  private final Function<String, String> env;
  private final Duration fetchTimeout;
  private final Map<Path, Object> locks = new ConcurrentHashMap<>();
  // "release\ncache dir" of each caller whose last fetch into that cache succeeded.
  private final Set<String> verified = ConcurrentHashMap.newKeySet();
  // Each cache stays open, this map holding one use of it: opening one (config, refs, pack list)
  // cost more than the resolve itself, for every release at every reconcile.
  private final Map<Path, Repository> repositories = new ConcurrentHashMap<>();
  // Each reconcile asks for its cache directory: parsing, three regexes and a SHA-256 were a
  // tenth of an idle daemon's work. Keyed by everything the directory is computed from.
  private final Map<String, Path> cacheDirs = new ConcurrentHashMap<>();

  /**
   * @param cacheRoot directory holding one bare clone per URL, e.g. {@code <state>/git-cache}
   * @param env environment lookup ({@code System::getenv} in production), read for {@value
   *     #TOKEN_VARIABLE} and {@value #USERNAME_VARIABLE}
   */
  public JGitSourceRepository(Path cacheRoot, Function<String, String> env) {
    this(cacheRoot, env, FETCH_TIMEOUT);
  }

  /** @param fetchTimeout how long a silent remote is waited for (see {@link #FETCH_TIMEOUT}) */
  JGitSourceRepository(Path cacheRoot, Function<String, String> env, Duration fetchTimeout) {
    this.cacheRoot = cacheRoot.toAbsolutePath().normalize();
    this.env = env;
    this.fetchTimeout = fetchTimeout;
  }

  @Override
  public String resolve(String url, String ref, boolean fetch, GitCredentials credentials)
      throws SourceException {
    return resolve("", url, ref, fetch, credentials);
  }

  @Override
  public String resolve(
      String release, String url, String ref, boolean fetch, GitCredentials credentials)
      throws SourceException {
    if (ref == null || ref.isBlank()) {
      throw new SourceException(REF_NOT_FOUND, "the ref is empty; name a branch, tag or commit");
    }
    Path dir = cacheDir(url, credentials);
    String caller = release + "\n" + dir;
    synchronized (lockFor(dir)) {
      // A cache filled by someone else's fetch proves nothing about this caller's access: its
      // first resolve (and every one after a failed fetch) fetches with its own credentials.
      boolean mustFetch = fetch || !verified.contains(caller);
      try (Repository repo = openCache(url, dir, mustFetch, credentials)) {
        verified.add(caller);
        return resolveIn(repo, url, ref.trim());
      } catch (SourceException e) {
        if (mustFetch) {
          verified.remove(caller);
        }
        throw e;
      }
    }
  }

  @Override
  public Path checkout(String url, String commit, Path root, GitCredentials credentials)
      throws SourceException {
    if (commit == null || !FULL_SHA.matcher(commit).matches()) {
      throw new IllegalArgumentException("checkout needs a full lowercase commit SHA: " + commit);
    }
    Path target = root.resolve(commit);
    // Checkouts only appear by an atomic rename of a complete tree, so existing means complete.
    if (Files.isDirectory(target)) {
      return target;
    }
    Path dir = cacheDir(url, credentials);
    synchronized (lockFor(dir)) {
      if (Files.isDirectory(target)) {
        return target;
      }
      try (Repository repo = openCache(url, dir, false, credentials)) {
        writeCheckout(repo, url, ObjectId.fromString(commit), root, target);
        return target;
      }
    }
  }

  private Object lockFor(Path dir) {
    return locks.computeIfAbsent(dir, d -> new Object());
  }

  // ---- cache ---------------------------------------------------------------------------------

  /** Opens the cache for {@code url}, cloning it when absent and fetching when asked. */
  private Repository openCache(String url, Path dir, boolean fetch, GitCredentials credentials)
      throws SourceException {
    if (!Files.isDirectory(dir)) {
      // A cache deleted by hand (or never there): what was open of it is stale.
      forget(dir);
      cloneInto(url, dir, credentials);
      return open(url, dir);
    }
    Repository repo = open(url, dir);
    if (fetch) {
      try {
        fetch(repo, url, credentials);
      } catch (SourceException e) {
        repo.close();
        throw e;
      }
    }
    return repo;
  }

  /** The open cache at {@code dir}, one more use of it: the caller closes what it got. */
  private Repository open(String url, Path dir) throws SourceException {
    try {
      return repositories.compute(dir, (d, cached) -> {
        Repository repo = cached;
        if (repo != null && !Files.isDirectory(d)) {
          repo.close();
          repo = null;
        }
        if (repo == null) {
          try {
            repo = new FileRepositoryBuilder().setGitDir(d.toFile()).setMustExist(true).build();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        // Inside compute: nobody can close it between here and the caller's use.
        repo.incrementOpen();
        return repo;
      });
    } catch (java.io.UncheckedIOException e) {
      throw new SourceException(
          UNAVAILABLE,
          "the local cache of "
              + display(url)
              + " at "
              + dir
              + " cannot be read ("
              + e.getCause().getMessage()
              + "); delete that directory so it is cloned again",
          e.getCause());
    }
  }

  /** Closes this map's use of the cache at {@code dir}, if open. */
  private void forget(Path dir) {
    Repository repo = repositories.remove(dir);
    if (repo != null) {
      repo.close();
    }
  }

  // A clone is built in a temp dir and renamed into place, so a crash never leaves a half clone.
  private void cloneInto(String url, Path dir, GitCredentials credentials)
      throws SourceException {
    Path tmp = null;
    try {
      Files.createDirectories(cacheRoot);
      tmp = Files.createTempDirectory(cacheRoot, "." + dir.getFileName() + ".tmp-");
      try (Git git = Git.init().setBare(true).setDirectory(tmp.toFile()).call()) {
        // JGit's auto gc otherwise runs detached, racing with our rename and our per-URL lock.
        StoredConfig config = git.getRepository().getConfig();
        config.setBoolean(ConfigConstants.CONFIG_GC_SECTION, null, "autoDetach", false);
        config.save();
        fetch(git.getRepository(), url, credentials);
      }
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
    } catch (IOException | GitAPIException e) {
      throw new SourceException(
          UNAVAILABLE,
          "cannot create the local cache of "
              + display(url)
              + " under "
              + cacheRoot
              + " ("
              + redact(url, e.getMessage())
              + "); check that the directory is writable",
          e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  // JGit counts its transport timeout in whole seconds.
  private int timeoutSeconds() {
    return (int) Math.max(1, fetchTimeout.toSeconds());
  }

  private void fetch(Repository repo, String url, GitCredentials credentials)
      throws SourceException {
    LOG.debug("fetching {}", display(url));
    FetchCommand fetch =
        Git.wrap(repo)
            .fetch()
            .setRemote(url)
            .setRefSpecs(MIRROR_REFSPECS)
            .setTagOpt(TagOpt.NO_TAGS)
            .setRemoveDeletedRefs(true)
            .setTimeout(timeoutSeconds());
    try {
      List<Ref> ownTags = repo.getRefDatabase().getRefsByPrefix(PRE_DEPLOY_PREFIX);
      call(fetch, url, credentials, "fetch");
      keep(repo, ownTags);
    } catch (IOException e) {
      throw new SourceException(
          UNAVAILABLE,
          "cannot read the refs of the git cache for " + display(url) + " (" + e.getClass().getSimpleName()
              + "); check the state directory's disk");
    }
  }

  /**
   * Asks the remote which commit {@code ref} names, as `git ls-remote` does: with the same
   * credentials a fetch would use, and nothing written but a short-lived SSH key.
   *
   * @return the commit of the tag or branch {@code ref}, or of a SHA (prefix) the remote
   *     advertises a ref for; null when {@code ref} looks like a commit SHA no ref points at (only
   *     a fetch can tell whether the remote has it)
   * @throws SourceException UNAVAILABLE when the remote cannot be read, REF_NOT_FOUND when
   *     {@code ref} is no branch or tag of it and no SHA
   */
  public String lsRemote(String url, String ref, GitCredentials credentials) throws SourceException {
    if (ref == null || ref.isBlank()) {
      throw new SourceException(REF_NOT_FOUND, "the ref is empty; name a branch, tag or commit");
    }
    String name = ref.trim();
    Collection<Ref> refs =
        call(Git.lsRemoteRepository().setRemote(url).setHeads(true).setTags(true).setTimeout(timeoutSeconds()),
            url, credentials, "read");
    Map<String, String> byName = new HashMap<>();
    for (Ref r : refs) {
      // An annotated tag's peeled id (its ^{} line) is the commit; the tag object is not.
      ObjectId id = r.getPeeledObjectId() != null ? r.getPeeledObjectId() : r.getObjectId();
      if (id != null) {
        byName.put(r.getName(), id.name());
      }
    }
    for (String candidate : List.of("refs/tags/" + name, "refs/heads/" + name)) {
      if (byName.containsKey(candidate)) {
        return byName.get(candidate);
      }
    }
    if (SHA_PREFIX.matcher(name).matches()) {
      String hex = name.toLowerCase(Locale.ROOT);
      return byName.values().stream().filter(id -> id.startsWith(hex)).findFirst().orElse(null);
    }
    throw new SourceException(
        REF_NOT_FOUND,
        "ref '" + name + "' is no branch or tag of " + display(url) + "; check the ref and that it was pushed");
  }

  private <T> T call(TransportCommand<?, T> command, String url, GitCredentials credentials, String verb)
      throws SourceException {
    checkLocalSource(url);
    boolean sshKey = credentials != null && credentials.hasSshKey();
    if (sshKey && !isSsh(url)) {
      throw new SourceException(
          UNAVAILABLE,
          "cannot " + verb + " "
              + display(url)
              + ": spec.source.secretRef holds an ssh-privatekey but the URL is not an ssh URL;"
              + " use ssh://user@host/path (or user@host:path), or put a username and password"
              + " (token) in the Secret");
    }
    if (sshKey && (credentials.knownHosts() == null || credentials.knownHosts().isBlank())) {
      // Trusting whatever host answers would hand the repository to anyone on the path.
      throw new SourceException(
          UNAVAILABLE,
          "cannot " + verb + " "
              + display(url)
              + ": spec.source.secretRef has an ssh-privatekey but no known_hosts, and unknown"
              + " hosts are refused; add the host's line (from `ssh-keyscan`) as known_hosts");
    }
    if (isSsh(url) && SshSessionFactory.getInstance() == null) {
      throw new SourceException(
          UNAVAILABLE,
          "cannot " + verb + " "
              + display(url)
              + ": this build has no SSH support; use an https URL,"
              + " with "
              + TOKEN_VARIABLE
              + " set for a private repository");
    }
    boolean fromSecret = credentials != null && credentials.hasPassword();
    String token = fromSecret ? credentials.password() : env.apply(TOKEN_VARIABLE);
    boolean http = isHttp(url);
    SshAccess ssh = null;
    try {
      ssh = authorize(command, url, credentials);
      return command.call();
    } catch (IOException e) {
      throw new SourceException(
          UNAVAILABLE,
          "cannot " + verb + " "
              + display(url)
              + ": the SSH key cannot be written under "
              + cacheRoot
              + " ("
              + e.getClass().getSimpleName()
              + "); check that the directory is writable");
    } catch (GitAPIException | JGitInternalException e) {
      // No cause attached: transport exceptions may carry the URL with its credentials.
      String reason = redact(url, reason(e));
      if (fromSecret) {
        reason = reason.replace(credentials.password(), "***");
      }
      String hint =
          http && (token == null || token.isBlank()) && looksLikeAuth(reason)
              ? "set " + TOKEN_VARIABLE + " to a token that can read it"
              : sshKey && reason.contains("Server key did not validate")
                  ? "the server's host key is not the one known_hosts in spec.source.secretRef"
                      + " names for it; compare it with `ssh-keyscan` and update the Secret"
                  : "check the URL, the network and the credentials";
      throw new SourceException(
          UNAVAILABLE, "cannot " + verb + " " + display(url) + " (" + reason + "); " + hint);
    } finally {
      if (ssh != null) {
        ssh.close();
      }
    }
  }

  /**
   * Puts back pre-deploy tags a pruning fetch removed: the negative refspec keeps the remote's from
   * overwriting them, but JGit still prunes what the remote lacks, and an unpushed tag is only here.
   */
  private static void keep(Repository repo, List<Ref> tags) throws IOException {
    for (Ref tag : tags) {
      if (repo.exactRef(tag.getName()) == null) {
        RefUpdate update = repo.updateRef(tag.getName());
        update.setNewObjectId(tag.getObjectId());
        update.setExpectedOldObjectId(ObjectId.zeroId());
        RefUpdate.Result result = update.update();
        if (result != RefUpdate.Result.NEW) {
          LOG.warn("cannot keep {} in the cache after a fetch: {}", tag.getName(), result);
        }
      }
    }
  }

  /**
   * Gives {@code command} the credentials a fetch would use: the Secret's password or token, else
   * the operator's token over http; the Secret's SSH key over ssh.
   *
   * @return the SSH key's access, to close after the call; null when there is none
   */
  private SshAccess authorize(TransportCommand<?, ?> command, String url, GitCredentials credentials)
      throws IOException {
    boolean fromSecret = credentials != null && credentials.hasPassword();
    String token = fromSecret ? credentials.password() : env.apply(TOKEN_VARIABLE);
    if (isHttp(url) && token != null && !token.isBlank()) {
      String user = fromSecret ? credentials.username() : env.apply(USERNAME_VARIABLE);
      command.setCredentialsProvider(
          new UsernamePasswordCredentialsProvider(
              user == null || user.isBlank() ? "x-access-token" : user, token));
    }
    if (credentials == null || !credentials.hasSshKey()) {
      return null;
    }
    SshAccess ssh = SshAccess.open(cacheRoot, credentials);
    command.setTransportConfigCallback(ssh.callback());
    return ssh;
  }

  @Override
  public TagOutcome tag(String url, String commit, String name, GitCredentials credentials) {
    Path dir;
    try {
      dir = cacheDir(url, credentials);
    } catch (SourceException e) {
      return TagOutcome.failed(e.getMessage());
    }
    boolean created;
    synchronized (lockFor(dir)) {
      try (Repository repo = openCache(url, dir, false, credentials); Git git = Git.wrap(repo)) {
        Ref existing = repo.exactRef(Constants.R_TAGS + name);
        if (existing != null && !existing.getObjectId().getName().equals(commit)) {
          return TagOutcome.failed("the cache already has a tag " + name + " on another commit");
        }
        created = existing == null;
        if (created) {
          try (RevWalk walk = new RevWalk(repo)) {
            git.tag().setName(name).setAnnotated(false).setObjectId(walk.parseCommit(ObjectId.fromString(commit))).call();
          }
        }
      } catch (SourceException e) {
        return TagOutcome.failed(e.getMessage());
      } catch (IOException | GitAPIException | JGitInternalException e) {
        return TagOutcome.failed(redact(url, reason(e)));
      }
    }
    // Outside the cache's lock: a slow or hanging remote must not hold up resolves of this URL.
    return push(url, dir, name, credentials, created);
  }

  private TagOutcome push(String url, Path dir, String name, GitCredentials credentials, boolean created) {
    try {
      checkLocalSource(url);
    } catch (SourceException e) {
      return TagOutcome.pushFailed(created, e.getMessage());
    }
    SshAccess ssh = null;
    try (Repository repo = open(url, dir); Git git = Git.wrap(repo)) {
      PushCommand push = git.push().setRemote(url).setTimeout(timeoutSeconds())
          .setRefSpecs(new RefSpec(Constants.R_TAGS + name + ":" + Constants.R_TAGS + name));
      ssh = authorize(push, url, credentials);
      for (PushResult result : push.call()) {
        for (RemoteRefUpdate update : result.getRemoteUpdates()) {
          RemoteRefUpdate.Status status = update.getStatus();
          if (status != RemoteRefUpdate.Status.OK && status != RemoteRefUpdate.Status.UP_TO_DATE) {
            String why = update.getMessage() == null ? status.name() : status.name() + ": " + update.getMessage();
            return TagOutcome.pushFailed(created, "the remote refused it: " + redact(url, why));
          }
        }
      }
      return TagOutcome.pushed(created);
    } catch (SourceException e) {
      return TagOutcome.pushFailed(created, e.getMessage());
    } catch (IOException | GitAPIException | JGitInternalException e) {
      String reason = redact(url, reason(e));
      if (credentials != null && credentials.hasPassword()) {
        reason = reason.replace(credentials.password(), "***");
      }
      return TagOutcome.pushFailed(created, reason);
    } finally {
      if (ssh != null) {
        ssh.close();
      }
    }
  }

  // Local sources get a precise message instead of JGit's generic transport error.
  private static void checkLocalSource(String url) throws SourceException {
    Path path = localPath(url);
    if (path == null) {
      return;
    }
    if (!path.isAbsolute()) {
      throw new SourceException(
          UNAVAILABLE, "the repository path '" + url + "' is relative; use an absolute path");
    }
    if (!Files.exists(path)) {
      throw new SourceException(
          UNAVAILABLE, "the repository " + display(url) + " does not exist; check the path or URL");
    }
    if (RepositoryCache.FileKey.resolve(path.toFile(), FS.DETECTED) == null) {
      throw new SourceException(
          UNAVAILABLE,
          "the directory " + display(url) + " is not a git repository; check the path or URL");
    }
  }

  // ---- resolving -----------------------------------------------------------------------------

  private static String resolveIn(Repository repo, String url, String ref) throws SourceException {
    try (RevWalk walk = new RevWalk(repo)) {
      // Names win over SHA prefixes, tags over branches, as with `git rev-parse`.
      for (String name : List.of("refs/tags/" + ref, "refs/heads/" + ref, ref)) {
        if (!name.startsWith("refs/") || !Repository.isValidRefName(name)) {
          continue;
        }
        Ref found = repo.exactRef(name);
        if (found != null && found.getObjectId() != null) {
          return peelToCommit(walk, found.getObjectId(), url, ref).name();
        }
      }
      if (SHA_PREFIX.matcher(ref).matches()) {
        ObjectId id = resolveSha(repo, walk, url, ref.toLowerCase(Locale.ROOT));
        if (id != null) {
          return id.name();
        }
      }
    } catch (IOException e) {
      throw new SourceException(
          UNAVAILABLE,
          "cannot read the local cache of "
              + display(url)
              + " ("
              + e.getMessage()
              + "); delete the cache directory so it is cloned again",
          e);
    }
    throw new SourceException(
        REF_NOT_FOUND,
        "ref '"
            + ref
            + "' not found in "
            + display(url)
            + ": no branch, tag or commit of that name; check the ref and that it was pushed");
  }

  private static ObjectId resolveSha(Repository repo, RevWalk walk, String url, String hex)
      throws IOException, SourceException {
    if (hex.length() == 40) {
      ObjectId id = ObjectId.fromString(hex);
      return repo.getObjectDatabase().has(id) ? peelToCommit(walk, id, url, hex) : null;
    }
    try (ObjectReader reader = repo.newObjectReader()) {
      Set<ObjectId> commits = new HashSet<>();
      for (ObjectId candidate : reader.resolve(AbbreviatedObjectId.fromString(hex))) {
        RevObject peeled = walk.peel(walk.parseAny(candidate));
        if (peeled instanceof RevCommit) {
          commits.add(peeled.copy());
        }
      }
      if (commits.size() > 1) {
        throw new SourceException(
            REF_NOT_FOUND,
            "ref '"
                + hex
                + "' is ambiguous in "
                + display(url)
                + ": "
                + commits.size()
                + " commits start with it; use more characters of the SHA");
      }
      return commits.isEmpty() ? null : commits.iterator().next();
    }
  }

  private static ObjectId peelToCommit(RevWalk walk, ObjectId id, String url, String ref)
      throws IOException, SourceException {
    RevObject peeled = walk.peel(walk.parseAny(id));
    if (!(peeled instanceof RevCommit)) {
      throw new SourceException(
          REF_NOT_FOUND,
          "ref '"
              + ref
              + "' in "
              + display(url)
              + " names a "
              + peeled.getClass().getSimpleName().replace("Rev", "").toLowerCase(Locale.ROOT)
              + ", not a commit; name a branch, tag or commit");
    }
    return peeled.copy();
  }

  // ---- checkout ------------------------------------------------------------------------------

  private static void writeCheckout(
      Repository repo, String url, ObjectId commit, Path root, Path target) throws SourceException {
    Path tmp = null;
    try {
      Files.createDirectories(root);
      tmp = Files.createTempDirectory(root, "." + commit.name() + ".tmp-");
      RevCommit revCommit;
      try (RevWalk walk = new RevWalk(repo)) {
        revCommit = walk.parseCommit(commit);
      } catch (MissingObjectException e) {
        throw new SourceException(
            REF_NOT_FOUND,
            "commit "
                + commit.name()
                + " is not in the local cache of "
                + display(url)
                + "; resolve a ref that contains it with a fetch first");
      }
      writeTree(repo, revCommit, tmp);
      refuseEscapingSymlinks(tmp, commit);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        tmp = null;
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // Someone else (another process) finished the same commit first; theirs is as good.
        if (!Files.isDirectory(target)) {
          throw e;
        }
      }
    } catch (IOException e) {
      throw new SourceException(
          UNAVAILABLE,
          "cannot write the checkout of "
              + commit.name()
              + " to "
              + target
              + " ("
              + e.getMessage()
              + "); check free space and permissions of "
              + root,
          e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  private static void writeTree(Repository repo, RevCommit commit, Path dest)
      throws IOException, SourceException {
    Set<String> symlinks = new HashSet<>();
    try (TreeWalk tree = new TreeWalk(repo)) {
      tree.addTree(commit.getTree());
      tree.setRecursive(true);
      while (tree.next()) {
        String path = tree.getPathString();
        Path file = safePath(dest, path, symlinks, commit);
        Files.createDirectories(file.getParent());
        int mode = tree.getRawMode(0);
        switch (mode & FileMode.TYPE_MASK) {
          case FileMode.TYPE_SYMLINK -> {
            byte[] target = repo.open(tree.getObjectId(0)).getBytes();
            Files.createSymbolicLink(file, Path.of(new String(target, StandardCharsets.UTF_8)));
            symlinks.add(path);
          }
          case FileMode.TYPE_GITLINK -> Files.createDirectories(file); // submodules stay empty
          default -> {
            try (FileChannel channel =
                    FileChannel.open(
                        file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                OutputStream out = Channels.newOutputStream(channel)) {
              repo.open(tree.getObjectId(0)).copyTo(out);
              // Durable before the rename publishes it, so a power loss cannot leave empty files.
              channel.force(true);
            }
            if ((mode & 0100) != 0) {
              file.toFile().setExecutable(true, false);
            }
          }
        }
      }
    }
  }

  // A symlink to /etc or ../.. would let compose read or mount the host through the checkout.
  // Checked on the finished tree, with every link followed: links to links can escape together.
  private static void refuseEscapingSymlinks(Path dest, ObjectId commit) throws IOException, SourceException {
    Path root = dest.toRealPath();
    List<Path> links;
    try (Stream<Path> walk = Files.walk(dest)) {
      links = walk.filter(Files::isSymbolicLink).toList();
    }
    for (Path link : links) {
      Path target = Files.readSymbolicLink(link);
      Path real;
      try {
        real = link.toRealPath();
      } catch (IOException e) {
        // Dangling: judge where it would point once something appears there.
        real = link.getParent().toRealPath().resolve(target).normalize();
      }
      if (target.isAbsolute() || !real.startsWith(root)) {
        throw new SourceException(
            UNSAFE,
            "commit "
                + commit.name()
                + " contains the symlink '"
                + dest.relativize(link)
                + "' -> '"
                + target
                + "', which points outside the checkout; it will not be deployed, deploy a different commit");
      }
    }
  }

  // Trees from a hostile remote could name "..", ".git" or write through an earlier symlink.
  private static Path safePath(Path dest, String path, Set<String> symlinks, RevCommit commit)
      throws SourceException {
    String prefix = "";
    for (String part : path.split("/", -1)) {
      if (part.isEmpty()
          || part.equals(".")
          || part.equals("..")
          || part.equalsIgnoreCase(".git")
          || symlinks.contains(prefix)) {
        throw new SourceException(
            UNAVAILABLE,
            "commit "
                + commit.name()
                + " contains the unsafe path '"
                + path
                + "' and will not be checked out; deploy a different commit");
      }
      prefix = prefix.isEmpty() ? part : prefix + "/" + part;
    }
    return dest.resolve(path);
  }

  // ---- naming and messages -------------------------------------------------------------------

  /** The cache directory of {@code url} for a caller without credentials. */
  Path cacheDir(String url) throws SourceException {
    return cacheDir(url, null);
  }

  /**
   * A readable, collision-free cache directory: sanitized URL plus a hash of the URL and of the
   * credentials that fetch it, so that callers with different access never share a cache.
   */
  Path cacheDir(String url, GitCredentials credentials) throws SourceException {
    if (url == null || url.isBlank()) {
      throw new SourceException(UNAVAILABLE, "the repository URL is empty; set a git URL");
    }
    String identity = credentialIdentity(url, credentials);
    String memo = url + "\0\n" + identity;
    Path known = cacheDirs.get(memo);
    if (known != null) {
      return known;
    }
    if (cacheDirs.size() >= 1024) {
      // Credentials that rotate leave keys behind: cheap to compute again, never to hoard.
      cacheDirs.clear();
    }
    Path dir = computeCacheDir(url, identity);
    cacheDirs.put(memo, dir);
    return dir;
  }

  private Path computeCacheDir(String url, String identity) {
    Path local = localPath(url);
    String location =
        local != null ? local.toAbsolutePath().normalize().toString() : stripUserInfo(url);
    String key = location + "\n" + identity;
    String readable =
        location.replaceFirst("^[A-Za-z][A-Za-z0-9+.-]*://", "")
            .replaceAll("[^A-Za-z0-9._-]+", "-")
            .replaceAll("^[-.]+|[-.]+$", "");
    if (readable.length() > 60) {
      readable = readable.substring(readable.length() - 60).replaceAll("^[-.]+", "");
    }
    return cacheRoot.resolve((readable.isEmpty() ? "repo" : readable) + "-" + shortHash(key));
  }

  /** Whether {@code url} names the operator's own filesystem ({@code file://} or a plain path). */
  public static boolean isLocalSource(String url) {
    return url != null && !url.isBlank() && localPath(url) != null;
  }

  /** The filesystem path for {@code file://} URLs and plain paths; null for remote URLs. */
  private static Path localPath(String url) {
    if (url.startsWith("file:")) {
      try {
        return Path.of(new URIish(url).getPath());
      } catch (URISyntaxException | IllegalArgumentException e) {
        return Path.of(url.substring("file:".length()));
      }
    }
    if (url.contains("://") || SCP_LIKE.matcher(url).matches()) {
      return null; // a URL, or scp-like user@host:path
    }
    return Path.of(url);
  }

  private static boolean isHttp(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    return lower.startsWith("http://") || lower.startsWith("https://");
  }

  private static boolean isSsh(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    return lower.startsWith("ssh://")
        || lower.startsWith("git+ssh://")
        || lower.startsWith("ssh+git://")
        || SCP_LIKE.matcher(url).matches();
  }

  private static boolean looksLikeAuth(String reason) {
    String lower = reason.toLowerCase(Locale.ROOT);
    return lower.contains("not authorized")
        || lower.contains("authentication")
        || lower.contains("401")
        || lower.contains("403");
  }

  /** The URL as shown to people: without {@code user:password@}. */
  static String display(String url) {
    return stripUserInfo(url);
  }

  private static String stripUserInfo(String url) {
    return USER_INFO.matcher(url).replaceFirst("$1");
  }

  /** Removes credentials of {@code url} from a message that may quote it. */
  private static String redact(String url, String message) {
    if (message == null) {
      return "no details";
    }
    String result = USER_INFO.matcher(message).replaceAll("$1");
    try {
      String password = new URIish(url).getPass();
      if (password != null && !password.isEmpty()) {
        result = result.replace(password, "***");
      }
    } catch (URISyntaxException e) {
      // not a URL: nothing more to redact
    }
    return result;
  }

  /** JGit's message without its leading URL, plus the root cause that says what went wrong. */
  private static String reason(Exception e) {
    String reason = firstLine(e.getMessage()).replaceFirst("^\\S*[/:]\\S*: ", "");
    Throwable root = Failures.root(e);
    if (root instanceof UnknownHostException) {
      reason += ": unknown host " + root.getMessage();
    } else if (root instanceof IOException && !(root instanceof TransportException)) {
      reason += ": " + firstLine(root.getMessage());
    }
    return reason;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no details";
    }
    String line = message.strip().lines().findFirst().orElse("no details");
    return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
  }

  /**
   * Everything that decides what a fetch may read: the URL's own user info, the Secret's values,
   * or (without a Secret, over http) the operator's token. Hashed into the directory name, so no
   * secret is written anywhere.
   */
  private String credentialIdentity(String url, GitCredentials credentials) {
    StringBuilder identity = new StringBuilder();
    Matcher userInfo = USER_INFO_PART.matcher(url);
    identity.append(userInfo.find() ? userInfo.group(1) : "").append('\0');
    if (credentials != null) {
      for (String part :
          new String[] {
            credentials.username(),
            credentials.password(),
            credentials.sshPrivateKey(),
            credentials.knownHosts()
          }) {
        identity.append(part == null ? "" : part.length() + ":" + part).append('\0');
      }
    } else if (isHttp(url)) {
      String token = env.apply(TOKEN_VARIABLE);
      String user = env.apply(USERNAME_VARIABLE);
      identity.append("env\0").append(user == null ? "" : user).append('\0');
      identity.append(token == null ? "" : token);
    }
    return identity.toString();
  }

  private static String shortHash(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      // 80 bits: nobody can aim a second key (with credentials they lack) at someone's cache.
      for (int i = 0; i < 10; i++) {
        hex.append(String.format("%02x", digest[i]));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      FileTrees.deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("could not delete the temporary directory {}: {}", dir, e.getMessage());
    }
  }
}
